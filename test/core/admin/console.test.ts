/** The admin console's core: who gets in, the pages as data and HTML, CSRF, revocation, the audit record. */
import { handleAdminRequest, type AdminRequest } from '../../../lambdas/core/admin/console';
import { csrfToken, verifyCsrfToken } from '../../../lambdas/core/admin/csrf';
import { lastTwelveMonths } from '../../../lambdas/core/admin/views';
import { seal } from '../../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../../lambdas/core/session/session-cookie';
import { MemorySessionStore } from '../../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../../lambdas/store/memory/mau';
import { MemoryUserStore } from '../../../lambdas/store/memory/users';
import { testConfig, testKeys } from '../fixtures';

const NOW = 1_800_000_000;
const config = testConfig({ admin: { emails: ['Boss@Example.com'] }, allow: { emailDomains: ['example.com'] } });
const keys = testKeys();

async function setup() {
  const sessions = new MemorySessionStore(() => NOW);
  const users = new MemoryUserStore();
  const mau = new MemoryMauStore();
  const ctx = { config, keys, now: NOW, stores: { sessions, users, mau }, scheme: 'https' as const };
  const signIn = async (email: string, userId: string, at = NOW - 100) => {
    const sid = `sid-${userId}-${Math.random().toString(36).slice(2)}`;
    await sessions.createSession({ sessionId: sid, provider: 'corp', userId, email, createdAt: at, expiresAt: NOW + 3600, host: 'app.example.com', ip: '203.0.113.9', userAgent: 'UA <b>' });
    await users.upsertOnSignIn({ provider: 'corp', userId, email, name: `Name <${userId}>`, at, host: 'app.example.com', ip: '203.0.113.9', userAgent: 'UA <b>' });
    const cookie = `${config.session.cookiePrefix}=${await seal(newSessionClaims(config, { sid, uid: userId, prv: 'corp', email, now: at }), keys.current)}`;
    return { sid, cookie };
  };
  const request = (cookie: string | undefined, over: Partial<AdminRequest> = {}): AdminRequest => ({
    method: 'GET',
    path: '/auth/admin',
    query: '',
    cookieHeaders: cookie !== undefined ? [cookie] : [],
    host: 'app.example.com',
    ...over,
  });
  return { ctx, sessions, users, mau, signIn, request };
}

test('no session: sign in first, then back to the page asked for', async () => {
  const { ctx, request } = await setup();
  const out = await handleAdminRequest(ctx, request(undefined, { path: '/auth/admin/users', query: 'email=a%40example.com' }));
  expect(out.status).toBe(302);
  expect(out.headers.location).toBe(`/auth/login?rd=${encodeURIComponent('/auth/admin/users?email=a%40example.com')}`);
});

test('a signed-in user who is not an admin gets 403; an admin email off the allow-list too', async () => {
  const { ctx, signIn, request } = await setup();
  const user = await signIn('someone@example.com', 'u1');
  const out = await handleAdminRequest(ctx, request(user.cookie));
  expect(out).toMatchObject({ status: 403, reason: 'admin-not-admin' });
  expect(out.body).toContain('Not an administrator');
  const strict = { ...ctx, config: testConfig({ admin: { emails: ['boss@example.com'] }, allow: { emails: ['other@example.com'] } }) };
  const boss = await signIn('boss@example.com', 'b0');
  expect(await handleAdminRequest(strict, request(boss.cookie))).toMatchObject({ status: 403, reason: 'admin-not-on-allow-list' });
});

test("an admin's email from a provider that does not verify emails (Amazon) is not an admin, even with an open allow-list", async () => {
  const { ctx, request } = await setup();
  const open = testConfig({ providers: [{ id: 'corp', type: 'amazon', clientId: 'c', clientSecret: 's' }], admin: { emails: ['boss@example.com'] } });
  const cookie = `${open.session.cookiePrefix}=${await seal(newSessionClaims(open, { sid: 'sid-a', uid: 'amzn', prv: 'corp', email: 'boss@example.com', now: NOW - 5 }), keys.current)}`;
  expect(await handleAdminRequest({ ...ctx, config: open }, request(cookie))).toMatchObject({ status: 403, reason: 'admin-email-unverifiable' });
});

test('users: most recently seen first, 50 a page, with a cursor; search by exact email; every value escaped', async () => {
  const { ctx, signIn, request } = await setup();
  const boss = await signIn('boss@example.com', 'boss', NOW - 10);
  for (let i = 0; i < 55; i++) await signIn(`u${i}@example.com`, `u${i}`, NOW - 1000 - i);
  const first = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/users' }));
  expect(first.status).toBe(200);
  expect(first.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'/);
  expect(first.body!.indexOf('boss@example.com</a>')).toBeLessThan(first.body!.indexOf('u0@example.com'));
  expect(first.body).toContain('Name &lt;u0&gt;');
  expect(first.body).not.toContain('<script');
  const cursor = /cursor=([A-Za-z0-9_-]+)/.exec(first.body!)![1]!;
  const second = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/users', query: `cursor=${cursor}` }));
  expect(second.body).toContain('u54@example.com');
  expect(second.body).not.toContain('u0@example.com');
  const found = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/users', query: 'email=U7%40Example.com' }));
  expect(found.body).toContain('u7@example.com');
  expect(found.audit).toEqual({ admin: 'boss@example.com', action: 'search-users', target: { email: 'u7@example.com' } });
  const bad = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/users', query: 'email=nope' }));
  expect(bad).toMatchObject({ status: 400 });
  expect(bad.body).toContain('email: is not an email address');
  expect(await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/users', query: 'cursor=%%%' }))).toMatchObject({ status: 400 });
});

test('revoke: confirm page (GET), then POST with the session\'s token; refused without it or from another site', async () => {
  const { ctx, sessions, signIn, request } = await setup();
  const boss = await signIn('boss@example.com', 'boss');
  const victim = await signIn('v@example.com', 'v');
  const confirm = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/revoke', query: `user=corp%3Av&session=${victim.sid}` }));
  expect(confirm.status).toBe(200);
  expect(confirm.body).toContain('method="post" action="/auth/admin/revoke"');
  const token = csrfToken(keys, boss.sid);
  expect(confirm.body).toContain(`name="csrf" value="${token}"`);
  expect((await sessions.getSession(victim.sid))?.revokedAt).toBeUndefined();

  const post = (form: Record<string, string>, over: Partial<AdminRequest> = {}) =>
    handleAdminRequest(ctx, request(boss.cookie, { method: 'POST', path: '/auth/admin/revoke', form: new URLSearchParams(form), origin: 'https://app.example.com', fetchSite: 'same-origin', ...over }));
  expect(await post({ user: 'corp:v', session: victim.sid })).toMatchObject({ status: 403, reason: 'admin-csrf' });
  expect(await post({ user: 'corp:v', session: victim.sid, csrf: csrfToken(keys, victim.sid) })).toMatchObject({ status: 403, reason: 'admin-csrf' });
  expect(await post({ user: 'corp:v', session: victim.sid, csrf: token }, { origin: 'https://evil.example', fetchSite: 'cross-site' })).toMatchObject({ status: 403, reason: 'admin-cross-site' });
  expect(await post({ user: 'corp:v', session: victim.sid, csrf: token }, { origin: 'https://app.example.com', fetchSite: 'same-site' })).toMatchObject({ status: 403, reason: 'admin-cross-site' });
  expect(await post({ user: 'corp:v', session: victim.sid, csrf: token }, { origin: 'https://evil.example', fetchSite: undefined })).toMatchObject({ status: 403, reason: 'admin-cross-site' });
  expect((await sessions.getSession(victim.sid))?.revokedAt).toBeUndefined();

  // Regression (found by the browser journey): a form POST under "Referrer-Policy: no-referrer" sends "Origin: null".
  const done = await post({ user: 'corp:v', session: victim.sid, csrf: token }, { origin: 'null', fetchSite: 'same-origin' });
  expect(done).toMatchObject({ status: 303, reason: 'admin-revoke-session' });
  expect(done.headers.location).toBe('/auth/admin/user?user=corp%3Av&revoked=1');
  expect(done.audit).toEqual({ admin: 'boss@example.com', action: 'revoke-session', target: { user: 'corp:v', sessions: [expect.stringMatching(/^[0-9a-f]{16}$/)] } });
  expect(await sessions.getSession(victim.sid)).toMatchObject({ revokedAt: NOW, revokedReason: 'operator' });
  // Revoking it again: nothing active to revoke.
  expect(await post({ user: 'corp:v', session: victim.sid, csrf: token })).toMatchObject({ status: 400 });

  const second = await signIn('v@example.com', 'v');
  const all = await post({ user: 'corp:v', csrf: token });
  expect(all.audit).toMatchObject({ action: 'revoke-user-sessions', target: { user: 'corp:v', sessions: [expect.any(String)] } });
  expect(await sessions.getSession(second.sid)).toMatchObject({ revokedReason: 'operator' });
  const page = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/user', query: 'user=corp%3Av&revoked=1' }));
  expect(page.body).toContain('revoked (operator)');
  expect(page.body).toContain('Revoked 1 session(s)');
  expect(page.body).toContain('UA &lt;b&gt;');
});

test('CSRF tokens: bound to the session, any listed key verifies, junk never does', () => {
  const token = csrfToken(keys, 'sid-1');
  expect(verifyCsrfToken(keys, 'sid-1', token)).toBe(true);
  expect(verifyCsrfToken(keys, 'sid-2', token)).toBe(false);
  expect(verifyCsrfToken(testKeys('k1'), 'sid-1', token)).toBe(false); // another key with the same kid
  for (const junk of [undefined, '', '.', 'k1.', 'k1.AAAA', 'nokid.xyz', 'x'.repeat(500)]) expect(verifyCsrfToken(keys, 'sid-1', junk)).toBe(false);
});

test('overview: this month and the 11 before as bars; keys: ids and which is current, never a key', async () => {
  const { ctx, mau, signIn, request } = await setup();
  const boss = await signIn('boss@example.com', 'boss');
  await mau.markActive({ month: '2027-01', provider: 'corp', userId: 'boss', at: NOW });
  const months = lastTwelveMonths(NOW);
  expect(months).toHaveLength(12);
  expect(months.at(-1)).toBe('2027-01');
  expect(months[0]).toBe('2026-02');
  const overview = await handleAdminRequest(ctx, request(boss.cookie));
  expect(overview.body!.match(/<rect /g)).toHaveLength(12);
  expect(overview.body).toContain('<p class="big">1</p>');
  const keysPage = await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/keys' }));
  expect(keysPage.body).toContain(`<code>${keys.current.kid}</code>`);
  expect(keysPage.body).toContain('current');
  expect(keysPage.body).not.toMatch(/"k"|"d"/);
  expect(await handleAdminRequest(ctx, request(boss.cookie, { path: '/auth/admin/nope' }))).toMatchObject({ status: 404 });
  expect(await handleAdminRequest(ctx, request(boss.cookie, { method: 'DELETE' }))).toMatchObject({ status: 405 });
});
