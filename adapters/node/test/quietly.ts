/** Runs `what` with console.error captured; returns the errors it logged. */
export async function quietly(what: () => Promise<unknown>): Promise<unknown[]> {
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (_what: unknown, error: unknown) => void errors.push(error);
  try {
    await what();
  } finally {
    console.error = original;
  }
  return errors;
}
