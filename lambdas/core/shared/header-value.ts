/**
 * A header-safe value: printable ASCII stays as it is; `%`, control characters and
 * non-ASCII are percent-encoded (UTF-8), so `decodeURIComponent` always restores the value
 * and no CR/LF can ever reach a header. A lone surrogate (valid in a provider's JSON, not
 * Unicode) becomes U+FFFD first: encodeURIComponent would throw, failing every request.
 */
export function headerValue(value: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(value)) return value;
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')).replace(/'/g, '%27');
}
