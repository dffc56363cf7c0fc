/**
 * The callback Lambda (behind CloudFront at /auth/callback, a function URL origin):
 * Lambda function URL event (payload 2.0) in, response out. Every failure is a page
 * that says what happened, never a stack trace, and never a session.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { finishCallback, type CallbackContext, type CallbackResponse } from '../core/sign-in/callback';
import type { EdgeConfig } from '../core/config/types';
import { HOST_HEADER, VIEWER_IP_HEADER } from '../core/viewer/identity-headers';
import type { KeySet } from '../core/keys/key-set';
import { PAGE_HEADERS, renderPage, signInHref } from '../core/viewer/pages';
import type { Provider } from '../core/providers/types';
import type { RandomBytes } from '../core/shared/random';
import { requestEvent, type RequestLogger } from '../core/request-events';
import type { SessionStore, SignInStateStore, SignInStore, UserStore } from '../core/stores';
import { elapsedUs } from '../runtime/console-logger';

export interface CallbackDeps {
  readonly config: EdgeConfig;
  readonly keys: () => KeySet | Promise<KeySet>;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly sessions: SessionStore & SignInStateStore;
  /** Session, App User and MAU mark in one transaction. @default - the session only */
  readonly signIns?: SignInStore;
  /** Refresh tokens kept per user (Google). @default - none kept */
  readonly users?: UserStore;
  readonly random: RandomBytes;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** @default 'https' */
  readonly scheme?: 'https' | 'http';
  readonly onSignIn?: CallbackContext['onSignIn'];
  readonly log?: RequestLogger;
}

export function createCallbackHandler(deps: CallbackDeps): (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult> {
  const clock = deps.clock ?? Date.now;
  return async function handler(event) {
    const started = process.hrtime.bigint();
    const host = deps.config.site.domain ?? event.headers?.[HOST_HEADER] ?? '';
    let response: CallbackResponse;
    try {
      if (host === '') throw new Error('the site host is unknown: set site.domain or run the viewer-request function on /auth/callback');
      const ctx: CallbackContext = {
        config: deps.config,
        keys: await deps.keys(),
        providers: deps.providers,
        sessions: deps.sessions,
        signIns: deps.signIns,
        users: deps.users,
        now: Math.floor(clock() / 1000),
        random: deps.random,
        scheme: deps.scheme ?? 'https',
        onSignIn: deps.onSignIn,
        onError: (error, where) => deps.log?.error(where, error),
      };
      response = await finishCallback(ctx, {
        querystring: event.rawQueryString ?? '',
        cookieHeaders: event.cookies !== undefined && event.cookies.length > 0 ? [event.cookies.join('; ')] : [],
        host,
        // The viewer's IP as the edge saw it (client copies of edge-oauth-* headers are stripped there).
        ip: event.headers?.[VIEWER_IP_HEADER] ?? event.requestContext?.http?.sourceIp,
        userAgent: event.requestContext?.http?.userAgent,
      });
    } catch (error) {
      // Fail closed: a store or configuration failure is an error page, never a session.
      deps.log?.error('callback', error);
      response = {
        status: 500,
        headers: PAGE_HEADERS,
        setCookies: [],
        body: renderPage({
          siteName: deps.config.site.name,
          title: 'Sign-in is unavailable',
          paragraphs: ['Something went wrong on our side while signing you in. Please try again in a moment.'],
          links: [{ href: signInHref(), label: 'Try again' }],
        }),
        decision: 'block',
        reason: 'internal-error',
      };
    }
    const session = response.session;
    const extra = {
      clientId: session !== undefined ? deps.config.providers.find((p) => p.id === session.prv)?.clientId : undefined,
      clientIp: event.requestContext?.http?.sourceIp,
      status: response.status,
    };
    deps.log?.request(requestEvent('GET', '/auth/callback', host, response, elapsedUs(started), clock(), extra));
    return {
      statusCode: response.status,
      headers: { ...response.headers },
      cookies: [...response.setCookies],
      ...(response.body !== undefined && { body: response.body }),
    };
  };
}
