/**
 * Property: the allow-list admits an email only when it is, character for character
 * (ASCII letters compared without case), an allowed address or a single-"@" address at an
 * allowed domain, and the provider did not mark it unverified. Multi-"@" tricks
 * (oauth2-proxy GHSA-c5c4-8r6x-56w3), subdomains, suffixes, whitespace and Unicode case
 * folding (the Kelvin sign "\u212A" lower-cases to an ASCII "k") never match.
 * The oracle is written independently of checkAllowList.
 */
import fc from 'fast-check';
import { checkAllowList } from '../../lambdas/core/sign-in/allow-list';
import { normalizeEmail } from '../../lambdas/core/access/usable-email';

const ALLOW = { emails: ['kim@partner.example'], emailDomains: ['example.com', 'kpmg.com'] };
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Independent oracle: exactly one "@", both sides non-empty, exact (ASCII-case-insensitive) match. */
function oracle(email: string, emailVerified: boolean | undefined): boolean {
  if (emailVerified === false) return false;
  const e = asciiLower(email);
  const at = e.split('@');
  if (at.length !== 2 || at[0] === '' || at[1] === '') return false;
  return ALLOW.emails.includes(e) || ALLOW.emailDomains.includes(at[1]!);
}

const caseMix = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

const local = fc.oneof(
  fc.constantFrom('kim', 'ada', 'a.b+tag', 'x', '\u212Aim', 'K\u0130M', 'evil@evil.com', '', ' kim', 'kim\n', '\ufeffkim'),
  fc.string({ maxLength: 8 }),
);
const domain = fc.oneof(
  fc.constantFrom('example.com', 'kpmg.com', 'partner.example').chain(caseMix),
  fc.constantFrom(
    'sub.example.com', 'example.com.evil', 'evilexample.com', 'example.com.', 'example.com ', ' example.com', 'example.com\n',
    '\u212Apmg.com', 'kpmg.com@evil.com', 'evil.com@example.com', 'example.com\u0000', 'ex\u00e4mple.com', 'EXAMPLE.COM',
  ),
  fc.string({ maxLength: 12 }),
);
const email = fc.oneof(
  fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`),
  fc.tuple(local, domain, domain).map(([l, d1, d2]) => `${l}@${d1}@${d2}`),
  fc.string({ maxLength: 24 }),
);
const verified = fc.constantFrom(true, false, undefined);

describe('email allow-list (property)', () => {
  test('allowed exactly when the independent oracle says so', () => {
    fc.assert(
      fc.property(email, verified, (e, v) => {
        const decision = checkAllowList({ email: e, emailVerified: v }, ALLOW);
        expect([e, v, decision.allowed]).toEqual([e, v, oracle(e, v)]);
      }),
      { numRuns: 600 },
    );
  });

  test('an unverified email is never allowed, with or without lists', () => {
    fc.assert(
      fc.property(email, fc.boolean(), (e, restricted) => {
        const allow = restricted ? ALLOW : { emails: [], emailDomains: [] };
        expect(checkAllowList({ email: e, emailVerified: false }, allow).allowed).toBe(e === '' && !restricted);
      }),
      { numRuns: 300 },
    );
  });

  test('a non-ASCII character never turns into an allowed ASCII address', () => {
    expect(checkAllowList({ email: 'evil@\u212Apmg.com', emailVerified: true }, ALLOW)).toEqual({ allowed: false, reason: 'not-on-allow-list' });
    expect(checkAllowList({ email: '\u212Aim@partner.example', emailVerified: true }, ALLOW).allowed).toBe(false);
    expect(checkAllowList({ email: 'KIM@Partner.Example', emailVerified: true }, ALLOW)).toEqual({ allowed: true });
  });

  test('whitespace around an address is not trimmed into an allowed one', () => {
    for (const e of [' kim@partner.example', 'kim@partner.example\n', '\ufeffkim@partner.example', 'kim@partner.example\u00a0']) {
      expect([e, checkAllowList({ email: e, emailVerified: true }, ALLOW).allowed]).toEqual([e, false]);
    }
  });
});

describe('normalizeEmail (property)', () => {
  // The all-ASCII shortcut (one toLowerCase) and the per-character walk agree on every input:
  // ASCII letters lose their case, and no other character is lower-cased into ASCII.
  const perCharacter = (s: string) => Array.from(s, (c) => (c.codePointAt(0)! > 0x7f && Array.from(c.toLowerCase()).some((l) => l.codePointAt(0)! <= 0x7f) ? c : c.toLowerCase())).join('');
  it('is the per-character lower case, never folding into ASCII', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('KIM@Example.COM', '\u212Aim@example.com', 'K\u0130M@x.y', 'Ä@B.C')), (s) => {
        expect(normalizeEmail(s)).toBe(perCharacter(s));
      }),
    );
    expect(normalizeEmail('\u212Aim@Example.com')).toBe('\u212Aim@example.com');
    expect(normalizeEmail('ADA@EXAMPLE.COM')).toBe('ada@example.com');
  });
});
