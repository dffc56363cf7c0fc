/** Shared fixtures for core unit tests: a config, a key set, deterministic randomness. */
import { createHash, randomBytes } from 'node:crypto';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { generateKeySetSecret, parseKeySet, type KeySet } from '../../lambdas/core/keys/key-set';

export function testConfig(overrides: Record<string, unknown> = {}): EdgeConfig {
  const result = parseConfig({
    site: { domain: 'app.example.com', name: 'Test Site' },
    providers: [
      { id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'client-1', clientSecret: 'edge-oauth/corp' },
    ],
    // Every request is written, so tests can count lines (the deployed default samples plain forwards).
    log: { requests: 'all' },
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

export function testKeys(kid = 'k1'): KeySet {
  return parseKeySet(generateKeySetSecret(randomBytes, kid));
}

/** Deterministic "random" bytes: a counter hashed, so tests are repeatable. */
export function seededRandom(seed = 'seed'): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n; off += 32) {
      createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, off);
    }
    return new Uint8Array(out);
  };
}

/** An OpenID Provider's discovery document for testConfig()'s issuer, served from memory. */
export const TEST_DISCOVERY = {
  issuer: 'https://idp.example.com',
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
  jwks_uri: 'https://idp.example.com/jwks',
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
};
