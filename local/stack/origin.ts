/**
 * The demo origin: answers every request with what it received (method, path, headers),
 * so a person or a test can see exactly what edge-oauth forwarded: the identity headers
 * it added, and that the client's own copies and edge-oauth's cookies were stripped.
 * JSON when the client accepts application/json, else a small HTML page.
 *
 * Given the site's URL, it also does what a real origin should (docs/identity-assertion.md):
 * verifies the signed identity assertion against the JWKS the edge serves at
 * `<site>/auth/.well-known/jwks.json`, and shows whether it is valid, and its claims.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { escapeHtml } from '../../lambdas/core/shared/html';
import { listenOnLoopback, closeServer } from './loopback';

export interface DemoOriginOptions {
  port?: number;
  /**
   * The protected site's URL, e.g. `http://127.0.0.1:8080`: the expected `iss`, and where
   * the JWKS is fetched from. @default - the assertion is not verified
   */
  siteUrl?: string;
  /**
   * Other URLs the same site answers on (`http://localhost:8080` beside
   * `http://127.0.0.1:8080`): the edge names the host the visitor used as `iss` (and `aud`
   * by default), so each is accepted too. @default - none
   */
  siteAliases?: readonly string[];
  /** @default 'edge-oauth-jwt-assertion' */
  assertionHeader?: string;
  /** The expected `aud`. @default - the site's origin (the default audience) */
  assertionAudience?: string;
}

/** What the origin concluded about the assertion (present when `siteUrl` is set). */
export type AssertionCheck =
  | { valid: true; kid: string; alg: string; claims: JWTPayload }
  | { valid: false; code: string; reason: string };

export interface DemoOriginHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

export interface OriginEcho {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  assertion?: AssertionCheck;
}


const headerText = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(', ') : (v ?? ''));

function renderHtml(echo: OriginEcho): string {
  const h = (name: string) => headerText(echo.headers[name]);
  const name = h('edge-oauth-user-name');
  const email = h('edge-oauth-user-email');
  const provider = h('edge-oauth-provider');
  const userId = h('edge-oauth-user-id');
  const who =
    name || email || userId
      ? `<p class="who">Signed in as <strong>${escapeHtml(name)}</strong> ${escapeHtml(email)}` +
        (provider ? ` via <strong>${escapeHtml(provider)}</strong>` : '') +
        (userId ? ` <small>(user id ${escapeHtml(userId)})</small>` : '') +
        '</p>'
      : '<p class="who">No edge-oauth identity headers on this request.</p>';
  const assertion = echo.assertion === undefined ? '' : renderAssertion(echo.assertion);
  const rows = Object.entries(echo.headers)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(headerText(v))}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-oauth demo origin</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{white-space:nowrap;font-weight:600}td{word-break:break-all;font-family:ui-monospace,monospace;font-size:13px}
.who{padding:.6rem .8rem;background:#eef6ee;border-radius:4px}
.valid{padding:.6rem .8rem;background:#eef6ee;border-radius:4px}.invalid{padding:.6rem .8rem;background:#fbeaea;border-radius:4px}code{font-family:ui-monospace,monospace}
</style>
</head>
<body>
<h1>edge-oauth demo origin</h1>
${who}
${assertion}<p><code>${escapeHtml(echo.method)} ${escapeHtml(echo.path)}</code></p>
<h2>Request headers</h2>
<table>
${rows}
</table>
</body>
</html>
`;
}

function renderAssertion(check: AssertionCheck): string {
  if (!check.valid) {
    return `<p class="invalid">Identity assertion: <strong>not valid</strong> — ${escapeHtml(check.reason)} <small>(${escapeHtml(check.code)})</small></p>\n`;
  }
  const rows = Object.entries(check.claims)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('\n');
  return (
    `<p class="valid">Identity assertion: <strong>valid</strong> (signature checked against the site's JWKS, key ` +
    `<code>${escapeHtml(check.kid)}</code>, ${escapeHtml(check.alg)}; issuer, audience and expiry checked)</p>\n` +
    `<h2>Assertion claims</h2>\n<table>\n${rows}\n</table>\n`
  );
}

type Verifier = (req: IncomingMessage) => Promise<AssertionCheck>;

/** The check a real origin should make: signature (JWKS), algorithm, issuer, audience, expiry. */
function assertionVerifier(opts: DemoOriginOptions & { siteUrl: string }): Verifier {
  const site = new URL(opts.siteUrl);
  const origins = [site.origin, ...(opts.siteAliases ?? []).map((u) => new URL(u).origin)];
  const header = (opts.assertionHeader ?? 'edge-oauth-jwt-assertion').toLowerCase();
  // cacheMaxAge as the edge's Cache-Control (max-age=300); an unknown kid triggers a refetch.
  const jwks = createRemoteJWKSet(new URL('/auth/.well-known/jwks.json', site), { cacheMaxAge: 300_000 });
  // The edge reuses one assertion per session for minutes, so a verified token is
  // remembered until its own expiry (what a busy real origin would do too): only the
  // exact token text that verified is trusted, and only while its `exp` is in the future.
  const verified = new Map<string, AssertionCheck & { valid: true }>();
  return async (req) => {
    const token = req.headers[header];
    if (typeof token !== 'string' || token === '') return { valid: false, code: 'ERR_ASSERTION_MISSING', reason: `no ${header} header` };
    const known = verified.get(token);
    if (known !== undefined && typeof known.claims.exp === 'number' && known.claims.exp > Date.now() / 1000) return known;
    if (known !== undefined) verified.delete(token);
    try {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: origins,
        audience: opts.assertionAudience ?? origins,
        algorithms: ['ES256', 'EdDSA'],
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      const check = { valid: true as const, kid: protectedHeader.kid ?? '', alg: protectedHeader.alg, claims: payload };
      if (verified.size >= 1000) verified.delete(verified.keys().next().value as string);
      verified.set(token, check);
      return check;
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      return { valid: false, code: typeof e.code === 'string' ? e.code : 'ERR_ASSERTION_INVALID', reason: String(e.message ?? error) };
    }
  };
}

function cors(res: ServerResponse, headers: IncomingHttpHeaders): void {
  const origin = headerText(headers.origin);
  if (!origin) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
}

/**
 * An origin's idle keep-alive should outlast CloudFront's (5 s by default), so that CloudFront,
 * not the origin, closes idle connections (as for an ALB, whose idle timeout is 60 s).
 */
const ORIGIN_KEEPALIVE_MS = 65_000;

export async function startDemoOrigin(opts: DemoOriginOptions = {}): Promise<DemoOriginHandle> {
  const verify = opts.siteUrl !== undefined ? assertionVerifier({ ...opts, siteUrl: opts.siteUrl }) : undefined;
  const server = createServer({ keepAliveTimeout: ORIGIN_KEEPALIVE_MS }, async (req, res) => {
    req.resume(); // the body is not echoed; drain it
    const echo: OriginEcho = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    if (verify !== undefined && echo.method !== 'OPTIONS') echo.assertion = await verify(req);
    res.setHeader('Cache-Control', 'no-store');
    cors(res, req.headers);

    if (echo.method === 'OPTIONS') {
      // Permissive preflight answer: the CORS test checks that edge-oauth lets it through.
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      res.setHeader(
        'Access-Control-Allow-Headers',
        headerText(req.headers['access-control-request-headers']) || 'Content-Type, Authorization',
      );
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }

    const wantsJson = headerText(req.headers.accept).includes('application/json');
    const body = wantsJson ? JSON.stringify(echo) : renderHtml(echo);
    res.writeHead(200, {
      'Content-Type': wantsJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(echo.method === 'HEAD' ? undefined : body);
  });

  const port = await listenOnLoopback(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
}
