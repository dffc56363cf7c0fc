/**
 * A tiny browser stand-in for HTTP-level tests: a cookie jar per host (RFC 6265 path
 * matching, Max-Age=0 deletes), manual redirects, and the dev IdP's sign-in form.
 * (The real-browser journeys are in test/e2e with Chromium.)
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
export interface StoredCookie {
  value: string;
  path: string;
}

export interface Hop {
  readonly status: number;
  readonly url: string;
  readonly location?: string;
  readonly setCookies: string[];
  readonly body: string;
  readonly headers: Headers;
}

export class TestBrowser {
  /** host → name → cookie */
  readonly jar = new Map<string, Map<string, StoredCookie>>();

  cookiesFor(url: URL): string {
    const cookies = this.jar.get(url.host);
    if (cookies === undefined) return '';
    return [...cookies.entries()]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name)?.value;
  }

  setCookie(host: string, name: string, value: string, path = '/'): void {
    let cookies = this.jar.get(host);
    if (cookies === undefined) this.jar.set(host, (cookies = new Map()));
    cookies.set(name, { value, path });
  }

  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const maxAge = attrs.find((a) => a.toLowerCase().startsWith('max-age='));
      let cookies = this.jar.get(url.host);
      if (cookies === undefined) this.jar.set(url.host, (cookies = new Map()));
      if (maxAge !== undefined && Number(maxAge.slice(8)) <= 0) cookies.delete(name);
      else cookies.set(name, { value, path });
    }
  }

  async request(url: string | URL, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Hop> {
    const target = new URL(url);
    const cookie = this.cookiesFor(target);
    // node:http, not fetch: Node's fetch always sends `Sec-Fetch-Mode: cors`, and this
    // stands in for a browser's page loads (`navigate`); tests override it for sub-resources.
    const headers: Record<string, string> = { 'sec-fetch-mode': 'navigate', ...(cookie !== '' && { cookie }), ...init.headers };
    const response = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = httpRequest(target, { method: init.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body);
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
    }
    const setCookies = responseHeaders.getSetCookie();
    this.store(target, setCookies);
    const location = responseHeaders.get('location') ?? undefined;
    return {
      status: response.status,
      url: target.href,
      ...(location !== undefined && { location: new URL(location, target).href }),
      setCookies,
      body: response.body,
      headers: responseHeaders,
    };
  }

  /** Follows redirects until a non-redirect answer or `stopWhen(url)` says stop (returns that hop). */
  async follow(start: Hop, stopWhen: (url: URL) => boolean = () => false, limit = 20): Promise<Hop> {
    let hop = start;
    for (let i = 0; i < limit && hop.location !== undefined && hop.status >= 300 && hop.status < 400; i++) {
      if (stopWhen(new URL(hop.location))) return hop;
      hop = await this.request(hop.location);
    }
    return hop;
  }

  /**
   * From a hop that redirects to the dev IdP: fill in its sign-in form and follow the
   * redirects back until the site answers (returns the site's first non-IdP answer).
   */
  async signInAtIdp(toIdp: Hop, form: { email: string; name?: string; emailVerified?: boolean }, siteHost: string): Promise<Hop> {
    const toSite = (url: URL) => url.host === siteHost;
    let hop = await this.follow(toIdp, toSite);
    if (hop.location !== undefined && toSite(new URL(hop.location))) return hop;
    if (hop.status === 200 && hop.body.includes('name="email"')) {
      const action = /<form[^>]*action="([^"]+)"/.exec(hop.body)?.[1];
      if (action === undefined) throw new Error('dev IdP: no sign-in form');
      const body = new URLSearchParams({ email: form.email, ...(form.name !== undefined && { name: form.name }) });
      if (form.emailVerified !== false) body.set('email_verified', 'true');
      hop = await this.request(new URL(action.replace(/&amp;/g, '&'), hop.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
    }
    return this.follow(hop, toSite);
  }
}
