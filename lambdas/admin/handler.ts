/**
 * The admin console Lambda (behind CloudFront at /auth/admin*, a function URL origin with
 * origin access control): Lambda function URL event (payload 2.0) in, HTML or a redirect
 * out. It parses, asks the core (lambdas/core/admin/console.ts), renders, and logs one
 * request event per request naming the admin, the action and its target. Nothing the
 * client sends crashes it: a bad form is a 400 page, a failure a 500 page.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { ADMIN_HEADERS, handleAdminRequest, type AdminResponse } from '../core/admin/console';
import { renderAdminPage } from '../core/admin/render';
import type { AdminStores } from '../core/admin/views';
import type { EdgeConfig } from '../core/config/types';
import type { KeySet } from '../core/keys/key-set';
import type { Provider } from '../core/providers/types';
import { requestEvent, type RequestLogger } from '../core/request-events';
import { SessionChecks } from '../core/session/container-checks';
import type { RandomBytes } from '../core/shared/random';
import { HOST_HEADER, VIEWER_IP_HEADER } from '../core/viewer/identity-headers';
import { elapsedUs } from '../runtime/console-logger';

export interface AdminDeps {
  readonly config: EdgeConfig;
  readonly keys: () => KeySet | Promise<KeySet>;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly sessions: AdminStores['sessions'];
  readonly users: AdminStores['users'];
  readonly mau: AdminStores['mau'];
  readonly random: RandomBytes;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** @default 'https' */
  readonly scheme?: 'https' | 'http';
  readonly log?: RequestLogger;
}

/** A form is a few hundred bytes; anything much larger is not one of ours. */
export const MAX_FORM_BYTES = 8192;

export function createAdminHandler(deps: AdminDeps): (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult> {
  const clock = deps.clock ?? Date.now;
  const onError = (error: unknown, where: string) => deps.log?.error(where, error);
  // One per container, like the edge's: revocation, inactivity and continuous authorization
  // of the admin's own session, re-read at most once per interval.
  const stores: AdminStores = { sessions: deps.sessions, users: deps.users, mau: deps.mau };
  const checks = new SessionChecks({ config: deps.config, sessions: deps.sessions, providers: deps.providers, random: deps.random, onError });
  return async function handler(event) {
    const started = process.hrtime.bigint();
    const headers = event.headers ?? {};
    const host = deps.config.site.domain ?? headers[HOST_HEADER] ?? '';
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath ?? '/';
    let response: AdminResponse;
    try {
      const form = method === 'POST' ? readForm(event) : undefined;
      response =
        form === 'too-large' || form === 'not-a-form'
          ? failure(deps.config, form === 'too-large' ? 413 : 415, form === 'too-large' ? 'Too large' : 'Not a form', 'The console accepts only its own forms.')
          : await handleAdminRequest(
              { config: deps.config, keys: await deps.keys(), now: Math.floor(clock() / 1000), stores, checks, scheme: deps.scheme ?? 'https' },
              {
                method,
                path,
                query: event.rawQueryString ?? '',
                form,
                cookieHeaders: event.cookies !== undefined && event.cookies.length > 0 ? [event.cookies.join('; ')] : [],
                host,
                ip: headers[VIEWER_IP_HEADER] ?? event.requestContext?.http?.sourceIp,
                userAgent: event.requestContext?.http?.userAgent,
                origin: headers.origin,
                fetchSite: headers['sec-fetch-site'],
              },
            );
    } catch (error) {
      // Fail closed: a store or key-set failure is an error page, never an action.
      deps.log?.error('admin', error);
      response = failure(deps.config, 500, 'The console is unavailable', 'Something went wrong on our side. Please try again in a moment.');
    }
    deps.log?.request(
      requestEvent(method, path, host, response, elapsedUs(started), clock(), {
        clientIp: headers[VIEWER_IP_HEADER] ?? event.requestContext?.http?.sourceIp,
        status: response.status,
        admin: response.audit,
      }),
    );
    return {
      statusCode: response.status,
      headers: { ...response.headers },
      cookies: [...response.setCookies],
      ...(response.body !== undefined && method !== 'HEAD' && { body: response.body }),
    };
  };
}

/** The urlencoded form of a POST (function URLs pass it base64-encoded); a marker when it is not one. */
function readForm(event: LambdaFunctionURLEvent): URLSearchParams | 'too-large' | 'not-a-form' {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return 'not-a-form';
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > MAX_FORM_BYTES) return 'too-large';
  return new URLSearchParams(body.toString('utf8'));
}

function failure(config: EdgeConfig, status: number, title: string, text: string): AdminResponse {
  return {
    decision: 'block',
    reason: status === 500 ? 'internal-error' : 'admin-bad-request',
    status,
    headers: ADMIN_HEADERS,
    setCookies: [],
    body: renderAdminPage({ kind: 'message', title, text }, { siteName: config.site.name }),
  };
}
