/**
 * Property: whatever the return path (`rd`, the original request target), the result is a
 * path a browser resolves on the site's own origin: it starts with one "/", never "//" or
 * "/\", has only printable ASCII (no CR/LF for the Location header), and is stable.
 * Inputs: arbitrary strings, and strings assembled from the pieces that open-redirect
 * payloads are made of (slashes, backslashes, encoded and raw whitespace, "@", schemes).
 */
import fc from 'fast-check';
import { returnPathOf, sanitizeReturnPath } from '../../lambdas/core/sign-in/return-path';

const SITE = 'https://site.example';

function expectSameOrigin(input: unknown, result: string): void {
  const url = new URL(result, SITE);
  expect([input, url.origin]).toEqual([input, SITE]);
  expect(result.startsWith('/')).toBe(true);
  expect(result.startsWith('//') || result.startsWith('/\\')).toBe(false);
  expect(/^[\x21-\x7e]*$/.test(result)).toBe(true);
}

const piece = fc.constantFrom(
  '/', '//', '\\', '/\\', '\\/', '%2f', '%2F', '%5c', '%09', '%0a', '%0d', '%20', '\t', '\n', '\r', ' ', '\u00a0', '\u3000',
  '@', ':', '.', '..', '#', '?', '&', '%', '%25', '%40', 'evil.example', 'site.example', 'https:', 'http:', 'javascript:',
  '//evil.example', '/\\evil.example', 'user:pass@', '\u2215', '\uff0f', '\u0000', 'a', 'x=1',
);
const payload = fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

describe('return path (property)', () => {
  test('assembled open-redirect payloads never leave the origin', () => {
    fc.assert(
      fc.property(payload, (input) => {
        const result = sanitizeReturnPath(input);
        expectSameOrigin(input, result);
        expect(sanitizeReturnPath(result)).toBe(result);
      }),
      { numRuns: 600 },
    );
  });

  test('arbitrary strings never throw and never leave the origin', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ maxLength: 64 }).map((s) => `/${s}`)), (input) => {
        const result = sanitizeReturnPath(input);
        expectSameOrigin(input, result);
        expect(sanitizeReturnPath(result)).toBe(result);
      }),
      { numRuns: 400 },
    );
  });

  test('the original request target (uri + query) as a return path', () => {
    fc.assert(
      fc.property(payload.map((p) => `/${p}`), payload, (uri, querystring) => {
        expectSameOrigin([uri, querystring], returnPathOf(uri, querystring));
      }),
      { numRuns: 200 },
    );
  });

  test('an ordinary same-origin path survives unchanged', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(fc.stringMatching(/^[a-z]=[0-9]{1,3}$/)), (segments, query) => {
        const path = `/${segments.join('/')}${query === null ? '' : `?${query}`}`;
        expect(sanitizeReturnPath(path)).toBe(path);
      }),
      { numRuns: 200 },
    );
  });
});
