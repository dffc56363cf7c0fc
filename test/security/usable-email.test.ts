/**
 * Issue 23, items 1 and 2: one notion of "a usable email" (access/usable-email.ts) in every
 * decision, and a re-check that changes or loses the email takes effect everywhere.
 *
 * Every rule that reads an email is walked with an unverified email (the provider says
 * `email_verified: false`; a group admits the user) and an unverifiable one (Amazon, which
 * documents no verification: https://developer.amazon.com/docs/login-with-amazon/customer-profile.html):
 * the site allow-list, the path rules (`paths[].allow.emails` / `emailDomains`), `admin.emails`,
 * the API authorizer (its path rules and its identity context), the identity headers and the
 * identity assertion. Real callback, edge handler and session checks; in-memory stores.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { authorizeAdmin } from '../../lambdas/core/admin/authorize';
import { decideApiRequest } from '../../lambdas/core/api/authorizer';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { open } from '../../lambdas/core/keys/seal';
import type { Profile, Provider } from '../../lambdas/core/providers/types';
import type { SessionClaims } from '../../lambdas/core/session/session-cookie';
import { checkAllowList } from '../../lambdas/core/sign-in/allow-list';
import { finishCallback } from '../../lambdas/core/sign-in/callback';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { forwardedHeaders, isResponse, keySet, locationOf, NOW, securityConfig, sessionCookie, setCookiesOf, SITE, stubProvider, viewerEvent, type EdgeRequest } from './support';

const { keys } = keySet();
const VICTIM = 'victim@example.com';
const AMAZON = { id: 'corp', type: 'amazon', clientId: 'amzn1.application-oa2-client.1', clientSecret: 'edge-oauth/amazon' };

/** Every rule that can name the victim's address. */
const RULES = {
  paths: [
    { prefix: '/by-email/', allow: { emails: [VICTIM] } },
    { prefix: '/by-domain/', allow: { emailDomains: ['example.com'] } },
  ],
  admin: { emails: [VICTIM] },
};

/** A provider whose profile the test changes between sign-in and the re-check. */
function changingProvider(config: EdgeConfig, profile: { current: Profile }): Provider {
  const base = stubProvider(profile.current);
  const type = config.providers[0]!.type;
  return {
    ...base,
    type,
    config: config.providers[0]!,
    supportsRefresh: true,
    finishSignIn: async () => ({ tokens: { accessToken: 'at', refreshToken: 'rt' }, profile: profile.current }),
    refresh: async () => ({ tokens: { accessToken: 'at2', refreshToken: 'rt' }, profile: profile.current }),
  };
}

async function signedIn(config: EdgeConfig, profile: { current: Profile }) {
  const sessions = new MemorySessionStore(() => NOW);
  const provider = changingProvider(config, profile);
  const clock = { t: NOW };
  const viewer = () => createViewerHandler({ config, keys: async () => keys, providers: new Map([['corp', provider]]), random: randomBytes, clock: () => clock.t * 1000, sessions });
  let handler = viewer();
  const handle = (req: EdgeRequest) => handler(viewerEvent(req));
  const start = await handle({ uri: '/' });
  const state = new URL(locationOf(start)!).searchParams.get('state')!;
  const flowCookie = setCookiesOf(start).find((c) => c.startsWith('edge-oauth-flow-'))!.split(';')[0]!;
  const done = await finishCallback(
    { config, keys, providers: new Map([['corp', provider]]), sessions, now: NOW, random: randomBytes, scheme: 'https' },
    { querystring: `code=c&state=${state}`, cookieHeaders: [flowCookie], host: SITE },
  );
  const cookie = done.setCookies.find((c) => c.startsWith('edge-oauth='))?.split(';')[0] ?? '';
  /** Another container: nothing remembered, it reads the session item. */
  const newContainer = () => (handler = viewer());
  return { done, cookie, sessions, handle, clock, newContainer };
}

const claimsOf = (cookie: string) => open<SessionClaims>(cookie.slice('edge-oauth='.length), keys)!;
const status = (result: Awaited<ReturnType<ReturnType<typeof createViewerHandler>>>) => (isResponse(result) ? Number(result.status) : 200);

/** Every rule that reads an email, for a session (cookie) on the edge and the API authorizer: none may use the address. */
async function expectNoRuleUsesTheEmail(config: EdgeConfig, cookie: string, handle: (req: EdgeRequest) => ReturnType<ReturnType<typeof createViewerHandler>>, stored?: { email?: string | null }) {
  const req = (uri: string) => ({ uri, headers: [['Cookie', cookie]] as const });
  // Path rules on the site.
  expect(status(await handle(req('/by-email/x')))).toBe(403);
  expect(status(await handle(req('/by-domain/x')))).toBe(403);
  // Identity headers and the assertion on an open path.
  const headers = forwardedHeaders(await handle(req('/open')));
  expect(headers['edge-oauth-user-email']).toBeUndefined();
  expect(decodeJwt(headers['edge-oauth-jwt-assertion']![0]!).email).toBeUndefined();
  // admin.emails.
  expect(authorizeAdmin(config, claimsOf(cookie), stored)).toMatchObject({ admin: false });
  // The API authorizer: its path rules and its identity context (cookie alone: no stored identity).
  if (stored === undefined) {
    const api = (path: string) => decideApiRequest({ config, keys, now: NOW }, { cookieHeaders: [cookie], host: SITE, path });
    expect(await api('/by-email/x')).toMatchObject({ kind: 'forbidden' });
    expect(await api('/by-domain/x')).toMatchObject({ kind: 'forbidden' });
    expect(await api('/open')).toMatchObject({ kind: 'allow', identity: { userEmail: '' } });
  }
}

describe('item 1: an unverifiable email (Amazon) is usable nowhere', () => {
  const config = securityConfig({ providers: [AMAZON], ...RULES });
  const amazon = (): { current: Profile } => ({ current: { id: 'amzn1.account.X', email: VICTIM, emailUnverifiable: true } });

  test('an allow-list that names the address refuses it at sign-in', async () => {
    const strict = securityConfig({ providers: [AMAZON], allow: { emails: [VICTIM] } });
    const { done } = await signedIn(strict, amazon());
    expect(done).toMatchObject({ status: 403, reason: 'email-unverified' });
    expect(checkAllowList(amazon().current, { emails: [], emailDomains: ['example.com'] }, 'corp')).toEqual({ allowed: false, reason: 'email-unverified' });
  });

  test('an open site lets the user in, but no path rule, admin list, header, assertion or API rule uses the address', async () => {
    const { done, cookie, handle } = await signedIn(config, amazon());
    expect(done.status).toBe(302);
    expect(claimsOf(cookie).email).toBeUndefined();
    await expectNoRuleUsesTheEmail(config, cookie, handle);
  });

  test('a cookie minted before this rule, carrying the Amazon address, is judged the same way', async () => {
    const { value } = await sessionCookie(config, keys, { email: VICTIM, now: NOW - 60 });
    const cookie = `edge-oauth=${value}`;
    const { handle } = (() => {
      const handler = createViewerHandler({ config, keys: async () => keys, providers: new Map([['corp', changingProvider(config, amazon())]]), random: randomBytes, clock: () => NOW * 1000 });
      return { handle: (req: EdgeRequest) => handler(viewerEvent(req)) };
    })();
    await expectNoRuleUsesTheEmail(config, cookie, handle);
  });
});

describe('item 1: an unverified email is usable nowhere, even when a group admits the user', () => {
  const config = securityConfig({ allow: { groups: ['eng'] }, ...RULES });
  const unverified = (): { current: Profile } => ({ current: { id: 'u-1', email: VICTIM, emailVerified: false, groups: ['eng'] } });

  test('an allow-list that names the address refuses it; a group admits the user without it', async () => {
    const strict = securityConfig({ allow: { emails: [VICTIM] } });
    expect((await signedIn(strict, unverified())).done).toMatchObject({ status: 403, reason: 'email-unverified' });
    const { done, cookie, handle } = await signedIn(config, unverified());
    expect(done.status).toBe(302);
    expect(claimsOf(cookie).email).toBeUndefined();
    await expectNoRuleUsesTheEmail(config, cookie, handle);
  });
});

describe('item 2: a re-check that changes or loses the email takes effect', () => {
  const config = securityConfig({ allow: { groups: ['eng'] }, session: { authCheckInterval: '5m', revocationCheckInterval: '1m' }, ...RULES });
  const victim = (): { current: Profile } => ({ current: { id: 'u-1', email: VICTIM, emailVerified: true, groups: ['eng'] } });
  const changes: Array<[string, Profile]> = [
    ['changed, verification not stated', { id: 'u-1', email: 'someone@else.example', groups: ['eng'] }],
    ['changed, stated unverified', { id: 'u-1', email: 'someone@else.example', emailVerified: false, groups: ['eng'] }],
    ['lost', { id: 'u-1', groups: ['eng'] }],
  ];

  test.each(changes)('%s: the stored identity drops the old address; no rule falls back to the cookie', async (_what, change) => {
    const profile = victim();
    const { cookie, handle, clock, sessions, newContainer } = await signedIn(config, profile);
    const sid = claimsOf(cookie).sid;
    expect(status(await handle({ uri: '/by-email/x', headers: [['Cookie', cookie]] }))).toBe(200);
    expect(authorizeAdmin(config, claimsOf(cookie))).toMatchObject({ admin: true });

    profile.current = change;
    clock.t += 301;
    // The container that made the check, then another one that reads the session item.
    expect(status(await handle({ uri: '/by-email/x', headers: [['Cookie', cookie]] }))).toBe(403);
    const stored = await sessions.getSession(sid);
    expect(stored?.revokedAt).toBeUndefined();
    expect(stored?.email).toBeUndefined();
    expect(stored?.emailVerification).toBe('none');
    clock.t += 1;
    for (const fresh of [false, true]) {
      if (fresh) newContainer();
      expect(status(await handle({ uri: '/by-email/x', headers: [['Cookie', cookie]] }))).toBe(403);
      expect(status(await handle({ uri: '/by-domain/x', headers: [['Cookie', cookie]] }))).toBe(403);
      const headers = forwardedHeaders(await handle({ uri: '/open', headers: [['Cookie', cookie]] }));
      expect(headers['edge-oauth-user-email']).toBeUndefined();
      expect(decodeJwt(headers['edge-oauth-jwt-assertion']![0]!).email).toBeUndefined();
    }
    // The admin console reads the stored identity: "checked, none" is not "not read".
    expect(authorizeAdmin(config, claimsOf(cookie), { email: null })).toMatchObject({ admin: false });
    expect(authorizeAdmin(config, claimsOf(cookie), {})).toMatchObject({ admin: true });
  });
});
