/**
 * cognito-at-edge as its README deploys it (an `Authenticator` built at init, `handle` as the
 * viewer-request handler), bundled like ours for the cold-start bench (bench/cold-start.ts).
 * Its first signed-in request fetches the user pool's JWKS (aws-jwt-verify); here from the
 * loopback stand-in named by BENCH_JWKS_ORIGIN, over plain HTTP as ours reaches its stubs
 * (no TLS handshake on either side), with the URL path aws-jwt-verify asks for.
 */
import { request } from 'node:http';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { Authenticator } from 'cognito-at-edge';
import { COGNITO } from './cognito';

const authenticator = new Authenticator({ region: COGNITO.region, userPoolId: COGNITO.userPoolId, userPoolAppId: COGNITO.clientId, userPoolDomain: COGNITO.domain, logLevel: 'silent' });

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const origin = process.env.BENCH_JWKS_ORIGIN;
if (origin !== undefined) {
  const verifier = (authenticator as unknown as { _jwtVerifier: { jwksCache: { fetcher: unknown } } })._jwtVerifier;
  verifier.jwksCache.fetcher = { fetch: (uri: string) => getJson(uri.replace(/^https:\/\/[^/]+/, origin)) };
}

export const handler = (event: CloudFrontRequestEvent) => authenticator.handle(event);
