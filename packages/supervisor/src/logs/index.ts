export { RotatingLog } from "./rotating-log.ts";
export type { RotatingLogOptions } from "./rotating-log.ts";
export { readLastLines } from "./read-log.ts";
export { LogFileError } from "./log-file-error.ts";
