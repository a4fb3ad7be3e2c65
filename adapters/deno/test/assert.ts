/** The few assertions these tests need (JSR's @std/assert is unreachable here). */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEquals<T>(actual: T, expected: T, message = ""): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message ? `${message}: ` : ""}expected ${e}, got ${a}`);
}

export async function assertRejects(
  op: () => Promise<unknown>,
  check: (error: unknown) => boolean,
  what: string,
): Promise<void> {
  try {
    await op();
  } catch (error) {
    if (!check(error)) throw new Error(`${what}: rejected with the wrong error: ${String(error)}`, { cause: error });
    return;
  }
  throw new Error(`${what}: expected a rejection, but it resolved`);
}
