/**
 * Small text helpers for client input, each linear in the length of its input
 * (test/security/linear-parsing.property.test.ts).
 */

/**
 * `text` without its trailing run of `char`. A loop, never `replace(/x+$/)`: a backtracking
 * regex engine retries that pattern at every character of a run that is not at the end, so
 * 8,000 slashes (or dots) and an "x" cost quadratic time (~150 ms a request, issue #16).
 */
export function withoutTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return end === text.length ? text : text.slice(0, end);
}
