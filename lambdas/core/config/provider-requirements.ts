/**
 * Per-provider required fields, checked by the config schema so that
 * `edge-oauth config check` names the field and the reason.
 */
export interface ProviderInputForCheck {
  readonly type: string;
  readonly issuer?: string | undefined;
  readonly tenant?: string | undefined;
  readonly allowInsecureRequests?: boolean | undefined;
  readonly tokenEndpointAuthMethod?: string | undefined;
  readonly hostedDomains?: unknown;
}

export interface RequirementProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Provider types whose issuer is fixed by edge-oauth (GitLab takes one for self-managed instances). */
const FIXED_ISSUER = ['google', 'github', 'microsoft', 'linkedin', 'twitch', 'amazon', 'facebook'];

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const TENANT_HELP =
  '"common" (work, school and personal accounts), "organizations" (work and school), "consumers" (personal), ' +
  'or one tenant\'s id (a GUID) or domain (e.g. "contoso.onmicrosoft.com") to admit that organization only';

export function providerRequirements(p: ProviderInputForCheck): RequirementProblem[] {
  const problems: RequirementProblem[] = [];
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
