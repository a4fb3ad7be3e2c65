import { describeValue } from "./config/describe-value.ts";

/**
 * A public call given an argument of the wrong type or shape: names the argument (`storage.persistent.writeFile
 * data`), what it must be and what it got. A TypeError, so existing `instanceof TypeError` checks still hold.
 */
export class InvalidArgumentError extends TypeError {
  override readonly name = "InvalidArgumentError";
  readonly argument: string;
  readonly value: unknown;

  constructor(argument: string, expected: string, value: unknown) {
    super(`${argument} must be ${expected}, got ${describeValue(value)}`);
    this.argument = argument;
    this.value = value;
  }
}

/** Throws InvalidArgumentError unless `ok`: the one check every public entry point uses for its arguments. */
export function requireArgument(ok: boolean, argument: string, expected: string, value: unknown): void {
  if (!ok) throw new InvalidArgumentError(argument, expected, value);
}
