/**
 * Per-provider required fields, checked by the config schema so that
 * `edge-oauth config check` names the field and the reason.
 */
import { MANAGED_ONLY_FIELDS } from './cognito-fields';

export interface ProviderInputForCheck {
  readonly type: string;
  readonly issuer?: string | undefined;
  readonly tenant?: string | undefined;
  readonly allowInsecureRequests?: boolean | undefined;
  readonly tokenEndpointAuthMethod?: string | undefined;
  readonly hostedDomains?: unknown;
  readonly clientId?: unknown;
  readonly clientSecret?: unknown;
  readonly userPoolId?: unknown;
  readonly domainPrefix?: unknown;
  readonly mfa?: unknown;
  readonly passkeys?: unknown;
  readonly refreshTokenValidity?: unknown;
  readonly endProviderSession?: unknown;
}

export interface RequirementProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Provider types whose issuer is fixed by edge-oauth (GitLab takes one for self-managed instances). */
const FIXED_ISSUER = ['google', 'github', 'microsoft', 'linkedin', 'twitch', 'amazon', 'facebook', 'cognito'];

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const TENANT_HELP =
  '"common" (work, school and personal accounts), "organizations" (work and school), "consumers" (personal), ' +
  'or one tenant\'s id (a GUID) or domain (e.g. "contoso.onmicrosoft.com") to admit that organization only';

export function providerRequirements(p: ProviderInputForCheck): RequirementProblem[] {
  const problems: RequirementProblem[] = p.type === 'cognito' ? cognitoRequirements(p) : clientRequirements(p);
  if (p.type === 'oidc' && p.issuer === undefined) {
    problems.push({ path: ['issuer'], message: 'is required for an "oidc" provider: the issuer URL (discovery at <issuer>/.well-known/openid-configuration)' });
  }
  if (p.issuer !== undefined && FIXED_ISSUER.includes(p.type)) {
    problems.push({ path: ['issuer'], message: `does not apply to the "${p.type}" provider: its endpoints are built in (only "oidc" and self-managed "gitlab" take an issuer)` });
  }
  if (p.issuer !== undefined && p.issuer.startsWith('http:') && !p.allowInsecureRequests) {
    problems.push({ path: ['issuer'], message: 'must be https (set "allowInsecureRequests": true only for a local development issuer)' });
  }
  if (p.tokenEndpointAuthMethod !== undefined && p.type !== 'oidc') {
    problems.push({ path: ['tokenEndpointAuthMethod'], message: `only applies to the "oidc" provider: the "${p.type}" provider's client authentication is built in` });
  }
  if (p.hostedDomains !== undefined && p.type !== 'google') {
    problems.push({ path: ['hostedDomains'], message: 'only applies to the "google" provider (Google Workspace domains, checked on the ID token\'s "hd" claim); use "allow.emailDomains" for other providers' });
  }
  if (p.tenant !== undefined && p.type !== 'microsoft') {
    problems.push({ path: ['tenant'], message: 'only applies to the "microsoft" provider' });
  }
  if (p.type === 'microsoft') {
    if (p.tenant === undefined) {
      problems.push({ path: ['tenant'], message: `is required for a "microsoft" provider: ${TENANT_HELP}` });
    } else if (!['common', 'organizations', 'consumers'].includes(p.tenant) && !TENANT_ID.test(p.tenant) && !TENANT_DOMAIN.test(p.tenant)) {
      problems.push({ path: ['tenant'], message: `"${p.tenant}" is not a Microsoft tenant: use ${TENANT_HELP}` });
    }
  }
  return problems;
}

/** Every type but `cognito` needs its client: the id and where its secret lives. */
function clientRequirements(p: ProviderInputForCheck): RequirementProblem[] {
  const problems: RequirementProblem[] = [];
  if (p.clientId === undefined) problems.push({ path: ['clientId'], message: 'is required: the OAuth client id from the provider' });
  if (p.clientSecret === undefined) problems.push({ path: ['clientSecret'], message: 'is required: where the OAuth client secret lives (a Secrets Manager secret id)' });
  for (const key of ['userPoolId', ...MANAGED_ONLY_FIELDS, 'endProviderSession'] as const) {
    if (p[key] !== undefined) problems.push({ path: [key], message: 'only applies to the "cognito" provider' });
  }
  return problems;
}

/**
 * `cognito`: no client at all (the stack creates the pool, its domain and the client), or the
 * operator's own pool with all three of userPoolId, clientId and clientSecret.
 */
function cognitoRequirements(p: ProviderInputForCheck): RequirementProblem[] {
  const own = (['userPoolId', 'clientId', 'clientSecret'] as const).filter((key) => p[key] !== undefined);
  if (own.length === 0) return [];
  const problems: RequirementProblem[] = [];
  for (const key of ['userPoolId', 'clientId', 'clientSecret'] as const) {
    if (p[key] === undefined) {
      problems.push({
        path: [key],
        message: `is required with ${own.join(' and ')}: a pool of your own takes userPoolId, clientId and clientSecret; leave all three out to have the stack create and manage the pool`,
      });
    }
  }
  for (const key of MANAGED_ONLY_FIELDS) {
    if (p[key] !== undefined) problems.push({ path: [key], message: 'only applies to a pool the stack creates (no userPoolId, clientId, clientSecret): set it on your own pool in Cognito' });
  }
  return problems;
}
