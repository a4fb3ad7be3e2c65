// Lets the seed's vitest-style tests run under `deno test`: describe/it from Deno's node:test, expect from Jest's package.
export { describe, it } from "node:test";
export { expect } from "expect";
