/**
 * The authorization fingerprint of a config: a short hash of every setting that decides
 * who a session admits (the site's allow-list, each provider's identity and allow-list,
 * the path rules), and of nothing else. A session record carries the fingerprint of the
 * config that last evaluated it (at sign-in, at a back-channel check, at a re-evaluation:
 * session/reevaluate.ts); a container whose config has another fingerprint re-evaluates
 * the session at its next due sync, so a deploy that narrows an allow-list ends the
 * sessions it no longer admits within `session.revocationCheckInterval`.
 *
 * Computed once per config object (a container's config never changes; the local stack's
 * reload builds a new one). Lists that are sets (emails, domains, groups, providers) are
 * sorted, so reordering them changes nothing; the path rules keep their order (first
 * match wins).
 */
import { createHash } from 'node:crypto';
import type { AllowList, EdgeConfig, ProviderConfig } from '../config/types';

const fingerprints = new WeakMap<EdgeConfig, string>();

const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

function allowForm(allow: AllowList | undefined): unknown {
  if (allow === undefined) return null;
  return { emails: sorted(allow.emails), emailDomains: sorted(allow.emailDomains), groups: sorted(allow.groups) };
}

/**
 * What of a provider decides who it admits: who it is (id, type, issuer, tenant, client),
 * where its email, verification and groups come from, its hosted domains and allow-list.
 * Not its display name, scopes, secret or transport settings.
 */
function providerForm(p: ProviderConfig): unknown {
  return {
    id: p.id,
    type: p.type,
    issuer: p.issuer ?? null,
    tenant: p.tenant ?? null,
    clientId: p.clientId,
    claims: { id: p.claims.id, email: p.claims.email, emailVerified: p.claims.emailVerified, groups: p.claims.groups ?? null },
    hostedDomains: sorted(p.hostedDomains),
    allow: allowForm(p.allow),
  };
}

/** The config's authorization fingerprint: 22 characters of base64url (128 bits of SHA-256). */
export function authFingerprint(config: EdgeConfig): string {
  const known = fingerprints.get(config);
  if (known !== undefined) return known;
  const form = {
    v: 1,
    allow: allowForm(config.allow),
    providers: [...config.providers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(providerForm),
    paths: (config.paths ?? []).map((rule) => ({ prefix: rule.prefix, allow: allowForm(rule.allow) })),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(form)).digest('base64url').slice(0, 22);
  fingerprints.set(config, fingerprint);
  return fingerprint;
}
