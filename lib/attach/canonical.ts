/**
 * A DistributionConfig as JSON with every object's keys in one order (naming keys first, then A to Z): two configs are the same
 * when their canonical texts are. Key order is not part of the config (CloudFront's XML is
 * read in any order, and the SDK and we build objects in different orders), and `undefined`
 * members are not sent (the SDK omits them).
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return v;
    return Object.fromEntries(Object.keys(v).sort(byName).map((k) => [k, (v as Record<string, unknown>)[k]]));
  }, indent);
}

/** The keys that name an entry come first (a reader sees which behaviour or origin it is), then A to Z. */
const FIRST = ['PathPattern', 'Id', 'TargetOriginId', 'DomainName', 'Quantity'];
function byName(a: string, b: string): number {
  const ia = FIRST.indexOf(a);
  const ib = FIRST.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? FIRST.length : ia) - (ib < 0 ? FIRST.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

export const sameConfig = (a: object, b: object): boolean => canonicalJson(a) === canonicalJson(b);
