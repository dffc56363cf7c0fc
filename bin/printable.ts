/**
 * Text from outside (a provider's display name, an email, a user agent, a config value)
 * made safe to print in an operator's terminal. Control characters (C0, DEL, C1), the line
 * and paragraph separators and the bidirectional overrides and isolates become `\uXXXX`:
 * a newline cannot break a table row, an escape sequence (ESC, or the C1 CSI U+009B) cannot
 * run in the terminal, and a right-to-left override cannot make one name look like another
 * (the "Trojan Source" characters, CVE-2021-42574). `\uXXXX` is also a JSON escape, so
 * applying this to a line of JSON output changes its text, never its value.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One value (a table cell, a field): every unsafe character escaped, newlines included. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** A whole block of output: the same, except the newlines that separate its lines. */
export function printableLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escape);
}
