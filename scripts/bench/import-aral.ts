// What import.mjs measures: loading the umbrella package, as an agent's first line does.
// (A variable specifier: "aral" resolves from where import.mjs runs this file, not from scripts/bench.)
const specifier: string = "aral";
await import(specifier);
export {};
