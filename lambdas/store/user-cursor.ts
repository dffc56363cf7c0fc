/**
 * The admin console's page cursor over App Users, most recently seen first: where the next
 * page starts (the last user's key and last seen), base64url JSON. Opaque to the console;
 * the memory and DynamoDB stores read it the same way. Anything else is a BadRequestError
 * naming the field, never a crash and never a scan from an arbitrary key.
 */
import { BadRequestError } from '../core/errors';

export interface UserCursor {
  readonly provider: string;
  readonly userId: string;
  readonly lastSeenAt: number;
}

export function encodeUserCursor(c: UserCursor): string {
  return Buffer.from(JSON.stringify([c.provider, c.userId, c.lastSeenAt])).toString('base64url');
}

export function decodeUserCursor(cursor: string): UserCursor {
  const bad = () => new BadRequestError('cursor', 'is not a page cursor of this console (open the users page again)');
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== 3) throw bad();
  const [provider, userId, lastSeenAt] = value as unknown[];
  if (typeof provider !== 'string' || provider === '' || typeof userId !== 'string' || userId === '') throw bad();
  if (typeof lastSeenAt !== 'number' || !Number.isSafeInteger(lastSeenAt) || lastSeenAt < 0) throw bad();
  return { provider, userId, lastSeenAt };
}
