/**
 * The Cognito adapter against the local Cognito stand-in (local/emulators/cognito/server.ts): issuer
 * shape, client authentication, claims, groups, refresh, re-checks and logout.
 */
import { parseConfig } from '../../lambdas/core/config/parse';
import type { ProviderConfig } from '../../lambdas/core/config/types';
import { CognitoProvider, cognitoIssuer } from '../../lambdas/core/providers/cognito';
import { createProviders } from '../../lambdas/core/providers';
import type { ProviderDeps } from '../../lambdas/core/providers/types';
import { startCognitoEmulator, type CognitoEmulator } from '../../local/emulators/cognito/server';
import type { PoolClient } from '../../local/emulators/cognito/admin';
import { newFlow } from './fake-oauth-server';

const REDIRECT_URI = 'https://app.example.com/auth/callback';
const LOGOUT_URI = 'https://app.example.com/auth/logout';
const now = () => Math.floor(Date.now() / 1000);

let cognito: CognitoEmulator;
let poolId: string;
let client: PoolClient;

beforeEach(async () => {
  cognito = await startCognitoEmulator();
  const pool = cognito.pools.createPool('team', {}, ['admins']);
  poolId = pool.id;
  client = cognito.pools.createClient(poolId, { callbackUrls: [REDIRECT_URI], logoutUrls: [LOGOUT_URI], scopes: ['openid', 'email', 'profile'], refreshTokenValidity: 30 * 86400 });
  const ops = cognito.pools.operations();
  ops.AdminCreateUser!({ UserPoolId: poolId, Username: 'ada@example.com', UserAttributes: [{ Name: 'email', Value: 'ada@example.com' }, { Name: 'email_verified', Value: 'true' }] });
  ops.AdminAddUserToGroup!({ UserPoolId: poolId, Username: 'ada@example.com', GroupName: 'admins' });
});
afterEach(() => cognito.close());

function ownPool(overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  const parsed = parseConfig({ providers: [{ id: 'team', type: 'cognito', userPoolId: poolId, clientId: client.clientId, clientSecret: 'team-secret' }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const p = parsed.config.providers[0]!;
  return { ...p, allowInsecureRequests: true, cognito: { ...p.cognito!, idpEndpoint: cognito.endpoint }, ...overrides };
}

function deps(overrides: Partial<ProviderDeps> = {}): ProviderDeps {
  return { fetch: globalThis.fetch, now, clientSecret: async () => client.clientSecret!, ...overrides };
}

/** Plays the browser at the stand-in's sign-in form (first sign-in: the temporary password is changed). */
async function signIn(provider: CognitoProvider, options: { password?: string; newPassword?: string } = {}) {
  const flow = newFlow();
  const url = await provider.authorizationUrl({ redirectUri: REDIRECT_URI, reauthenticate: false, ...flow });
  const toLogin = await fetch(url, { redirect: 'manual' });
  const login = new URL(toLogin.headers.get('location')!);
  const invitation = cognito.pools.invitations.find((i) => i.email === 'ada@example.com')!;
  const form = new URLSearchParams({ username: 'ada@example.com', password: options.password ?? invitation.temporaryPassword, new_password: options.newPassword ?? 'New-passw0rd!' });
  const back = await fetch(login, { method: 'POST', body: form, redirect: 'manual' });
  const callbackUrl = new URL(back.headers.get('location')!);
  return { url, callbackUrl, finish: () => provider.finishSignIn({ callbackUrl, redirectUri: REDIRECT_URI, codeVerifier: flow.codeVerifier, state: flow.state, nonce: flow.nonce }) };
}

test('the issuer is <endpoint>/<pool id>, Cognito\'s by default (https://cognito-idp.<region>.amazonaws.com/<pool id>)', () => {
  expect(cognitoIssuer('eu-west-1_AbC123')).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
  expect(cognitoIssuer('us-east-1_x', 'http://localhost:9')).toBe('http://localhost:9/us-east-1_x');
});

test('sign-in: openid email profile, PKCE; the profile is sub, the verified email and cognito:groups', async () => {
  const provider = new CognitoProvider(ownPool(), deps());
  const { url, finish } = await signIn(provider);
  expect(url.origin).toBe(cognito.endpoint);
  expect(url.searchParams.get('scope')).toBe('openid email profile');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  const { profile, tokens } = await finish();
  expect(profile).toMatchObject({ email: 'ada@example.com', emailVerified: true, groups: ['admins'] });
  expect(profile.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(tokens.refreshToken).toBeDefined();
});

test('client authentication: Basic with the id and secret as they are (a secret with "_" works; form-urlencoded it would not)', async () => {
  expect(client.clientSecret).toContain('_');
  const provider = new CognitoProvider(ownPool(), deps());
  const { callbackUrl } = await signIn(provider);
  // RFC 6749's form-urlencoding turns "_" into %5F; the stand-in, like Cognito's documented Basic, does not decode it.
  const encoded = Buffer.from(`${client.clientId}:${client.clientSecret!.replace(/_/g, '%5F')}`).toString('base64');
  const answer = await fetch(`${cognito.endpoint}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${encoded}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: callbackUrl.searchParams.get('code')!, redirect_uri: REDIRECT_URI }),
  });
  expect(answer.status).toBe(400);
  expect(await answer.json()).toEqual({ error: 'invalid_client' });
});

test('a wrong client secret is invalid_client', async () => {
  const provider = new CognitoProvider(ownPool(), deps({ clientSecret: async () => 'wrong' }));
  const { finish } = await signIn(provider);
  await expect(finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED' });
});

test('refresh: new ID token with the current groups; a disabled user\'s refresh fails (the re-check ends the session)', async () => {
  const provider = new CognitoProvider(ownPool(), deps());
  const { tokens } = await (await signIn(provider)).finish();
  cognito.pools.operations().CreateGroup!({ UserPoolId: poolId, GroupName: 'ops' });
  cognito.pools.operations().AdminAddUserToGroup!({ UserPoolId: poolId, Username: 'ada@example.com', GroupName: 'ops' });
  const refreshed = await provider.refresh(tokens.refreshToken!);
  expect(refreshed.profile.groups).toEqual(['admins', 'ops']);
  expect(refreshed.tokens.refreshToken).toBe(tokens.refreshToken); // not rotated: the one held is kept
  cognito.pools.operations().AdminDisableUser!({ UserPoolId: poolId, Username: 'ada@example.com' });
  await expect(provider.refresh(tokens.refreshToken!)).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED' });
});

test('logout at Cognito: <domain>/logout with client_id and logout_uri, which the stand-in honours only for a sign-out URL', async () => {
  const provider = new CognitoProvider(ownPool(), deps());
  const url = await provider.endSessionUrl(LOGOUT_URI);
  expect(`${url.origin}${url.pathname}`).toBe(`${cognito.endpoint}/logout`);
  expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: client.clientId, logout_uri: LOGOUT_URI });
  const answer = await fetch(url, { redirect: 'manual' });
  expect(answer.headers.get('location')).toBe(LOGOUT_URI);
  const other = await fetch(await provider.endSessionUrl('https://evil.example/'), { redirect: 'manual' });
  expect(other.status).toBe(400);
});

test('a managed pool: the pool and client ids come from its secret (createProviders wires the JSON keys)', async () => {
  const parsed = parseConfig({ providers: [{ id: 'team', type: 'cognito' }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const config = { ...parsed.config, providers: [{ ...parsed.config.providers[0]!, allowInsecureRequests: true, cognito: { ...parsed.config.providers[0]!.cognito!, idpEndpoint: cognito.endpoint } }] };
  const secret = JSON.stringify({ userPoolId: poolId, clientId: client.clientId, clientSecret: client.clientSecret });
  const reads: string[] = [];
  const providers = createProviders(config, {
    fetch: globalThis.fetch,
    now,
    readSecret: async (ref) => {
      reads.push(`${ref.secretId}#${ref.jsonKey}`);
      return (JSON.parse(secret) as Record<string, string>)[ref.jsonKey!]!;
    },
  });
  const provider = providers.get('team') as CognitoProvider;
  const { finish, url } = await signIn(provider);
  expect(url.searchParams.get('client_id')).toBe(client.clientId);
  expect((await finish()).profile.email).toBe('ada@example.com');
  expect(new Set(reads)).toEqual(new Set(['edge-oauth/cognito/team#userPoolId', 'edge-oauth/cognito/team#clientId', 'edge-oauth/cognito/team#clientSecret']));
});

test('the stand-in refuses a redirect_uri that is not a callback URL with an error page, never a redirect', async () => {
  const provider = new CognitoProvider(ownPool(), deps());
  const url = await provider.authorizationUrl({ redirectUri: 'https://evil.example/auth/callback', reauthenticate: false, ...newFlow() });
  const answer = await fetch(url, { redirect: 'manual' });
  expect(answer.status).toBe(400);
  expect(answer.headers.get('location')).toBeNull();
});

test('a refresh token lasts the client\'s RefreshTokenValidity: past it, the refresh (and so the re-check) fails', async () => {
  let nowMs = Date.now();
  const timed = await startCognitoEmulator({ clock: () => nowMs });
  try {
    const pool = timed.pools.createPool('timed');
    const short = timed.pools.createClient(pool.id, { callbackUrls: [REDIRECT_URI], logoutUrls: [], scopes: ['openid', 'email', 'profile'], refreshTokenValidity: 3600 });
    timed.pools.operations().AdminCreateUser!({ UserPoolId: pool.id, Username: 'ada@example.com', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] });
    const cfg = ownPool({ clientId: short.clientId });
    const provider = new CognitoProvider({ ...cfg, cognito: { ...cfg.cognito!, userPoolId: pool.id, idpEndpoint: timed.endpoint } }, deps({ clientSecret: async () => short.clientSecret! }));
    const flow = newFlow();
    const url = await provider.authorizationUrl({ redirectUri: REDIRECT_URI, reauthenticate: false, ...flow });
    const login = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    const temporary = timed.pools.invitations[0]!.temporaryPassword;
    const back = await fetch(login, { method: 'POST', body: new URLSearchParams({ username: 'ada@example.com', password: temporary, new_password: 'New-passw0rd!' }), redirect: 'manual' });
    const { tokens } = await provider.finishSignIn({ callbackUrl: new URL(back.headers.get('location')!), redirectUri: REDIRECT_URI, codeVerifier: flow.codeVerifier, state: flow.state, nonce: flow.nonce });
    nowMs += 3601 * 1000; // past the client's 3600 s
    await expect(provider.refresh(tokens.refreshToken!)).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: expect.stringContaining('invalid_grant') });
  } finally {
    await timed.close();
  }
});
