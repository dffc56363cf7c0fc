/**
 * Property: whatever text edge-oauth puts on its pages (a provider's email or name, its
 * `error` parameter, a return path in a link), it cannot add markup: the page has exactly
 * the tags and attribute quotes of the template, and escaping round-trips.
 */
import fc from 'fast-check';
import { escapeHtml, renderPage } from '../../lambdas/core/viewer/pages';

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.constantFrom('<', '>', '"', "'", '&', '&amp;', '<script>', '</p>', '" onmouseover="x', 'javascript:', '&#x3C;', 'a'), { maxLength: 8 }).map((p) => p.join('')),
);

const count = (s: string, c: string) => s.split(c).length - 1;
const unescape = (s: string) => s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);

describe('HTML escaping (property)', () => {
  test('escapeHtml leaves no markup character and round-trips', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const escaped = escapeHtml(text);
        for (const c of ['<', '>', '"', "'"]) expect(escaped).not.toContain(c);
        expect(escaped.replace(/&(lt|gt|quot|#39|amp);/g, '')).not.toContain('&');
        expect(unescape(escaped)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  test('a page made of hostile text has exactly the template\'s tags and quotes', () => {
    const page = (t: string) => renderPage({ siteName: t, title: t, paragraphs: [t, `Signed in as ${t}.`], links: [{ href: t, label: t }, { href: '/', label: t }] });
    const template = page('x');
    fc.assert(
      fc.property(hostile, (text) => {
        const html = page(text);
        for (const c of ['<', '>', '"', "'"]) expect([text, c, count(html, c)]).toEqual([text, c, count(template, c)]);
      }),
      { numRuns: 200 },
    );
  });
});
