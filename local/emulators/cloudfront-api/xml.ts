/**
 * The XML of the CloudFront API (REST-XML, API version 2020-05-31), for the local
 * control-plane endpoint (local/emulators/cloudfront-api/server.ts): a small strict parser and a writer.
 *
 * What the real `@aws-sdk/client-cloudfront` (3.1164.0) sends, captured on the wire
 * (/tmp/research/cloudfront-api.md §2.1): the prolog `<?xml version="1.0" encoding="UTF-8"?>`,
 * one root element carrying `xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"`, child
 * elements only (no attributes, no mixed content), text escaped as `&lt;&amp;&gt;&quot;`.
 * Anything else (a DOCTYPE, CDATA, a comment, unbalanced tags) is refused here, so the fake
 * is never more lenient than the service.
 *
 * Lists are wrappers `{Quantity, Items}` whose `Items` holds one element per entry, named
 * after the list's member (the table below, from the botocore service model
 * `botocore/data/cloudfront/2020-05-31/service-2.json`, every structure reachable from
 * DistributionConfig whose `Items` is a list). In the plain form used by the fake, an
 * `Items` is a JS array; every other element is an object (children) or a string (text).
 */

export const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';

/** Wrapper element → the element name of each entry of its `Items`. */
export const LIST_MEMBERS: Readonly<Record<string, string>> = {
  Aliases: 'CNAME',
  AllowedMethods: 'Method',
  CachedMethods: 'Method',
  CacheBehaviors: 'CacheBehavior',
  CustomErrorResponses: 'CustomErrorResponse',
  CustomHeaders: 'OriginCustomHeader',
  FunctionAssociations: 'FunctionAssociation',
  GeoRestriction: 'Location',
  Headers: 'Name',
  LambdaFunctionAssociations: 'LambdaFunctionAssociation',
  Members: 'OriginGroupMember',
  OriginGroups: 'OriginGroup',
  OriginSslProtocols: 'SslProtocol',
  Origins: 'Origin',
  QueryStringCacheKeys: 'Name',
  StatusCodes: 'StatusCode',
  TrustedKeyGroups: 'KeyGroup',
  TrustedSigners: 'AwsAccountNumber',
  WhitelistedNames: 'Name',
};

/** A plain XML value: text, an element with children, or the entries of an `Items`. */
export type Plain = string | PlainObject | Plain[];
export interface PlainObject {
  [name: string]: Plain;
}

export class XmlError extends Error {}

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&([^;&<>]*);?/g, (whole, ent: string) => {
    if (!whole.endsWith(';')) throw new XmlError('an "&" that does not start an entity');
    if (ENTITIES[ent] !== undefined) return ENTITIES[ent];
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ent);
    if (!num) throw new XmlError(`unknown entity &${ent};`);
    const code = num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : parseInt(num[1]!, 10);
    if (code === 0 || code > 0x10ffff) throw new XmlError(`invalid character reference &${ent};`);
    return String.fromCodePoint(code);
  });
}

/** Parses one document: an optional XML declaration, then exactly one element. */
export function parseDocument(xml: string): Element {
  let pos = 0;
  const rest = () => xml.slice(pos);
  const skipSpace = () => {
    while (pos < xml.length && /\s/.test(xml[pos]!)) pos++;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new XmlError('unterminated XML declaration');
    pos = end + 2;
  }
  skipSpace();

  const parseElement = (): Element => {
    if (xml[pos] !== '<') throw new XmlError('expected an element');
    if (/^<[!?]/.test(rest())) throw new XmlError('comments, DOCTYPE, CDATA and processing instructions are not accepted');
    pos++;
    const name = NAME.exec(rest())?.[0];
    if (!name) throw new XmlError('an element without a name');
    pos += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (rest().startsWith('/>')) {
        pos += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (xml[pos] === '>') {
        pos++;
        break;
      }
      const attr = /^([A-Za-z_][A-Za-z0-9_.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest());
      if (!attr) throw new XmlError(`malformed attribute in <${name}>`);
      if (attrs[attr[1]!] !== undefined) throw new XmlError(`duplicate attribute ${attr[1]} in <${name}>`);
      attrs[attr[1]!] = decode(attr[3] ?? attr[4] ?? '');
      pos += attr[0].length;
    }
    const children: Element[] = [];
    let text = '';
    for (;;) {
      const lt = xml.indexOf('<', pos);
      if (lt < 0) throw new XmlError(`<${name}> is not closed`);
      text += xml.slice(pos, lt);
      pos = lt;
      if (rest().startsWith('</')) {
        const close = /^<\/([A-Za-z_][A-Za-z0-9_.-]*)\s*>/.exec(rest());
        if (!close || close[1] !== name) throw new XmlError(`<${name}> is closed by ${close ? `</${close[1]}>` : 'something else'}`);
        pos += close[0].length;
        break;
      }
      children.push(parseElement());
    }
    if (children.length > 0 && text.trim() !== '') throw new XmlError(`<${name}> mixes text and elements`);
    return { name, attrs, children, text: children.length > 0 ? '' : decode(text) };
  };

  const root = parseElement();
  skipSpace();
  if (pos !== xml.length) throw new XmlError('content after the root element');
  return root;
}

/** An element's children as a plain object; `Items` become arrays, checked against LIST_MEMBERS. */
export function toPlain(el: Element, parent?: string): Plain {
  if (el.name === 'Items') {
    const member = parent !== undefined ? LIST_MEMBERS[parent] : undefined;
    if (member === undefined) throw new XmlError(`<Items> in <${parent ?? '?'}> is not a list this endpoint knows`);
    return el.children.map((c) => {
      if (c.name !== member) throw new XmlError(`<${parent}><Items> holds <${c.name}>, expected <${member}>`);
      return toPlain(c, c.name);
    });
  }
  if (el.children.length === 0) return el.text;
  const out: PlainObject = {};
  for (const c of el.children) {
    if (Object.hasOwn(out, c.name)) throw new XmlError(`<${el.name}> has more than one <${c.name}>`);
    out[c.name] = toPlain(c, el.name);
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}

function write(name: string, value: unknown, parent?: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const member = parent !== undefined ? LIST_MEMBERS[parent] : undefined;
    if (name !== 'Items' || member === undefined) throw new XmlError(`a list at <${name}> in <${parent ?? '?'}> is not one this endpoint knows`);
    return `<Items>${value.map((v) => write(member, v, member)).join('')}</Items>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => write(k, v, name))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escape(String(value))}</${name}>`;
}

/** A document: the prolog and `root` with the CloudFront namespace. Values may be SDK-shaped (numbers, booleans, Dates). */
export function writeDocument(root: string, value: object): string {
  const inner = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => write(k, v, root))
    .join('');
  return `${PROLOG}<${root} xmlns="${XMLNS}">${inner}</${root}>`;
}

/** Plain (all leaves strings) from an SDK-shaped object: how a seeded config is stored. */
export function plainOf(value: object): PlainObject {
  const root = parseDocument(writeDocument('DistributionConfig', value));
  return toPlain(root) as PlainObject;
}
