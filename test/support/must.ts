/** `value`, or a clear Error naming `what` when it is undefined (for tests and their helpers). */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}, got undefined`);
  return value;
}
