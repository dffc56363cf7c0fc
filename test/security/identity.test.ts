/**
 * The identity the origin is shown is the one the provider gave and the allow-list checked:
 * at sign-in and after a back-channel refresh, the email is case-folded the same way, and
 * never folded from non-ASCII into an ASCII address (the Kelvin sign "\u212A" lower-cases
 * to "k"). Values reach headers percent-encoded: no CR/LF, no non-ASCII.
 */
import fc from 'fast-check';
import type { Provider } from '../../lambdas/core/providers/types';
import { refreshSession } from '../../lambdas/core/session/refresh';
import { sealTokens } from '../../lambdas/core/keys/token-sealing';
import { headerValue, identityHeaders } from '../../lambdas/core/viewer/identity-headers';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { keySet, NOW, securityConfig, stubProvider } from './support';

describe('identity after a refresh', () => {
  async function refreshWith(email: string, allow?: { emails: string[]; emailDomains: string[] }) {
    const config = securityConfig(allow === undefined ? {} : { allow });
    const { keys } = keySet();
    const sessions = new MemorySessionStore(() => NOW);
    await sessions.createSession({
      sessionId: 'sid-1', provider: 'corp', userId: 'u-1', email: 'kim@example.com', createdAt: NOW - 3600, expiresAt: NOW + 3600,
      tokens: await sealTokens({ accessToken: 'at', refreshToken: 'rt' }, keys),
    });
    const provider: Provider = {
      ...stubProvider(),
      supportsRefresh: true,
      refresh: async () => ({ tokens: { accessToken: 'at2', refreshToken: 'rt2' }, profile: { id: 'u-1', email, emailVerified: true } }),
    };
    return refreshSession({ config, sessions, provider, keys, owner: 'c1', now: NOW, calls: [] }, { sid: 'sid-1', uid: 'u-1', prv: 'corp' }, NOW);
  }

  test('a provider email that only lower-cases into an allowed ASCII address is refused', async () => {
    const outcome = await refreshWith('\u212Aim@example.com', { emails: ['kim@example.com'], emailDomains: [] });
    expect(outcome.kind).toBe('denied');
  });

  test('with no allow-list, the refreshed email is stored as given, not as an ASCII look-alike', async () => {
    const outcome = await refreshWith('\u212Aim@Example.COM');
    expect(outcome).toMatchObject({ kind: 'refreshed', email: '\u212Aim@example.com' });
  });
});

describe('identity header values', () => {
  test.each([
    ['Ada\r\nX-Injected: 1', 'Ada%0D%0AX-Injected%3A%201'],
    ['Ada\nSet-Cookie: edge-oauth=x', 'Ada%0ASet-Cookie%3A%20edge-oauth%3Dx'],
    ['Zoë \u212A', 'Zo%C3%AB%20%E2%84%AA'],
    ['\u0000\u007f\u0085\u2028', '%00%7F%C2%85%E2%80%A8'],
    ['100%', '100%25'],
  ])('%j → %j', (value, encoded) => {
    expect(headerValue(value)).toBe(encoded);
    expect(decodeURIComponent(encoded)).toBe(value);
  });

  test('a lone surrogate (not Unicode, but valid JSON from a provider) is replaced, not a crash', () => {
    expect(headerValue('Ada \ud800')).toBe('Ada%20%EF%BF%BD');
    expect(headerValue('\udfff\ud83d\ude00\ud83d')).toBe('%EF%BF%BD%F0%9F%98%80%EF%BF%BD');
  });

  test('any string, any code unit: a printable-ASCII header value, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 40 }), (value) => {
        expect(headerValue(value)).toMatch(/^[\x20-\x7e]*$/);
      }),
      { numRuns: 300 },
    );
  });

  test('every identity header value is a valid header value (RFC 9110 field-value, printable ASCII)', () => {
    const config = securityConfig();
    const nasty = 'a\r\nb\u0000c\u00e9\ud83d\ude00 "<script>"';
    const headers = identityHeaders(config, { v: 1, sid: 's', uid: nasty, prv: 'corp', name: nasty, email: nasty, iat: NOW });
    for (const [, value] of headers) expect(value).toMatch(/^[\x20-\x7e]*$/);
  });
});
