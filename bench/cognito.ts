/**
 * The peer: cognito-at-edge's `Authenticator.handle` on an equivalent signed-in request.
 * It verifies the Cognito ID token from its cookie with aws-jwt-verify (RS256, JWKS cache);
 * the JWKS is preloaded with a locally generated RSA key (`cacheJwks`), so nothing goes to
 * the network, and the token is a Cognito-shaped ID token signed with that key.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { Authenticator } from 'cognito-at-edge';
import { SignJWT, type JWK } from 'jose';
import { eventFactory, OTHER_COOKIES } from './fixtures';
import { Bench } from './harness';

/** The peer's settings (the cold-start peer entry, bench/cold-peer.ts, uses the same). */
export const COGNITO = { region: 'us-east-1', userPoolId: 'us-east-1_BenchPool1', clientId: '4k9shgq0example0client0id1', domain: 'bench-example.auth.us-east-1.amazoncognito.com' } as const;
const { region: REGION, userPoolId: USER_POOL_ID, clientId: CLIENT_ID } = COGNITO;
const USERNAME = '0c4b3f6e-2a51-4c2f-9b3e-7a1d2c3e4f50';

interface VerifierLike {
  cacheJwks(jwks: { keys: JWK[] }, userPoolId?: string): void;
}

/** A Cognito-shaped signed-in request's cookies, and the JWKS (one RSA key) that verifies its tokens. */
export async function cognitoTokens(nowSeconds: number): Promise<{ cookie: string; jwk: JWK }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'bench-rsa-1';
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' };
  const issuer = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
  const common = { sub: USERNAME, iss: issuer, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: nowSeconds - 60, jti: randomUUID() };
  const idToken = await new SignJWT({
    ...common,
    aud: CLIENT_ID,
    email_verified: true,
    'cognito:username': USERNAME,
    token_use: 'id',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(nowSeconds + 3600)
    .sign(privateKey);
  const accessToken = await new SignJWT({
    ...common,
    client_id: CLIENT_ID,
    token_use: 'access',
    scope: 'phone openid profile email',
    username: USERNAME,
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(nowSeconds + 3600)
    .sign(privateKey);

  // The cookies cognito-at-edge itself sets at sign-in (its _getRedirectResponse), minus the
  // refresh token (its value is not read on the signed-in path; leaving it out keeps the
  // Cookie header, and so the peer's parsing cost, small and the comparison conservative).
  const base = `CognitoIdentityServiceProvider.${CLIENT_ID}`;
  const cookie = [
    OTHER_COOKIES,
    `${base}.${USERNAME}.accessToken=${accessToken}`,
    `${base}.${USERNAME}.idToken=${idToken}`,
    `${base}.${USERNAME}.tokenScopesString=phone%20email%20profile%20openid%20aws.cognito.signin.user.admin`,
    `${base}.LastAuthUser=${USERNAME}`,
  ].join('; ');
  return { cookie, jwk };
}

export async function cognitoFixture(nowSeconds: number): Promise<{ handle: (e: CloudFrontRequestEvent) => Promise<unknown>; event: () => CloudFrontRequestEvent }> {
  const { cookie, jwk } = await cognitoTokens(nowSeconds);
  const authenticator = new Authenticator({ region: REGION, userPoolId: USER_POOL_ID, userPoolAppId: CLIENT_ID, userPoolDomain: COGNITO.domain, logLevel: 'silent' });
  const verifier = (authenticator as unknown as { _jwtVerifier: VerifierLike })._jwtVerifier;
  verifier.cacheJwks({ keys: [jwk] });
  const event = eventFactory('/reports/2026?q=1', cookie);
  const handle = (e: CloudFrontRequestEvent) => authenticator.handle(e);

  // It must really take its signed-in path: the request comes back, not a redirect.
  const result = (await handle(event())) as CloudFrontRequest & { status?: string };
  if (result.status !== undefined || result.uri !== '/reports/2026') {
    throw new Error(`cognito-at-edge did not forward the signed-in request: ${JSON.stringify(result).slice(0, 300)}`);
  }
  return { handle, event };
}

export async function cognitoBench(nowSeconds: number): Promise<Bench<CloudFrontRequestEvent>> {
  const { handle, event } = await cognitoFixture(nowSeconds);
  for (let i = 0; i < 200; i++) await handle(event());
  return new Bench('cognito-at-edge', handle, event);
}
