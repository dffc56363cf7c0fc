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

/**
 * The realm of a `WWW-Authenticate` challenge (a quoted string in a header: RFC 9110 §11.6.1):
 * the site's domain or name, reduced to characters that need no quoting or escaping (no CR,
 * LF, `"`, `\`, non-ASCII), at most 80. The edge's 401 and the REST API's gateway response share it.
 */
export function authRealm(site: { readonly name: string; readonly domain?: string | undefined }): string {
  return (site.domain ?? site.name).replace(/[^A-Za-z0-9 .:_-]/g, '').trim().slice(0, 80).trim() || 'edge-oauth';
}
