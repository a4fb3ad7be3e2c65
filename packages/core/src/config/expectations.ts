import { z } from "zod";

/**
 * What each schema node accepts, in words, for error messages ("an integer from 1 to 10").
 * Kept in its own registry (not in `.meta()`) so it does not leak into the published JSON Schema.
 */
export const expectations = z.registry<{ expected: string }>();
