/** Randomness is passed into the core; this is its shape. */
export type RandomBytes = (length: number) => Uint8Array;

/** `length` random bytes as base64url (no padding). */
export function randomToken(random: RandomBytes, length = 32): string {
  return Buffer.from(random(length)).toString('base64url');
}
