/**
 * The console's CSRF token, bound to the session: `<kid>.<HMAC-SHA256(k, "edge-oauth admin csrf" | session id)>`
 * with `k` derived (HKDF-SHA256) from the named sealing key of the key set, so no new secret
 * is needed and a token opens only with the session it was made for. Any listed key
 * verifies (a rotation does not break an open form); a retired key's tokens stop working.
 * Compared in constant time; a malformed token is simply not valid.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { sealingKeyBytes, type KeySet, type SealingKey } from '../keys/key-set';

const INFO = 'edge-oauth admin csrf v1';
const derived = new WeakMap<SealingKey, Buffer>();

function csrfKey(key: SealingKey): Buffer {
  let k = derived.get(key);
  if (k === undefined) {
    k = Buffer.from(hkdfSync('sha256', sealingKeyBytes(key), new Uint8Array(0), INFO, 32));
    derived.set(key, k);
  }
  return k;
}

const mac = (key: SealingKey, sessionId: string) => createHmac('sha256', csrfKey(key)).update(`${INFO}\0${sessionId}`).digest();

export function csrfToken(keys: KeySet, sessionId: string): string {
  return `${keys.current.kid}.${mac(keys.current, sessionId).toString('base64url')}`;
}

export function verifyCsrfToken(keys: KeySet, sessionId: string, token: string | undefined): boolean {
  if (token === undefined || token.length > 200) return false;
  const dot = token.indexOf('.');
  const key = dot > 0 ? keys.byKid.get(token.slice(0, dot)) : undefined;
  if (key === undefined) return false;
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(key, sessionId);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
