/**
 * The embedded dev identity provider as a provider entry of a config file (local only):
 * `{"id": "dev", "type": "dev"}` becomes an `oidc` provider on the local stack's dev IdP
 * (its issuer, client id and secret, `allowInsecureRequests`, `offline_access`), keeping
 * the entry's `id`, `displayName` and `allow`. Everything else of the config is parsed as
 * a deployment parses it (lambdas/core/config/parse.ts), so allow-lists, groups, path
 * rules and session limits can be tried without a real provider. `cdk synth` and the
 * deploy refuse `"type": "dev"` (lambdas/core/config/fields.ts names the field).
 */
import { formatPath, parseConfig, type ConfigProblem, type ParseResult } from '../../lambdas/core/config/parse';
import { parseJsonc } from '../../lambdas/core/config/parse-text';

export interface DevIdpClient {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecretId: string;
}

const DEV_ENTRY_FIELDS = new Set(['id', 'type', 'displayName', 'allow']);

/** Whether a config (as its file says) names the embedded dev IdP. */
export function namesDevProvider(input: unknown): boolean {
  const providers = (input as { providers?: unknown } | null)?.providers;
  return Array.isArray(providers) && providers.some((p) => (p as { type?: unknown } | null)?.type === 'dev');
}

/** The config with every `dev` provider entry resolved to the dev IdP, then parsed and validated. */
export function resolveLocalConfig(input: unknown, dev: DevIdpClient): ParseResult {
  const providers = (input as { providers?: unknown } | null)?.providers;
  if (!Array.isArray(providers) || !namesDevProvider(input)) return parseConfig(input);
  const problems: ConfigProblem[] = [];
  const resolved = providers.map((p: unknown, index) => {
    const entry = p as Record<string, unknown>;
    if (entry?.type !== 'dev') return p;
    for (const key of Object.keys(entry)) {
      if (!DEV_ENTRY_FIELDS.has(key)) problems.push({ path: formatPath(['providers', index, key]), message: 'not for a "dev" provider: the local stack sets it (a dev provider takes id, displayName and allow)' });
    }
    return {
      id: entry.id ?? 'dev',
      type: 'oidc',
      displayName: entry.displayName ?? 'the dev identity provider',
      issuer: dev.issuer,
      clientId: dev.clientId,
      clientSecret: { secretId: dev.clientSecretId },
      scopes: ['offline_access'],
      allowInsecureRequests: true,
      ...(entry.allow !== undefined && { allow: entry.allow }),
    };
  });
  const result = parseConfig({ ...(input as object), providers: resolved });
  if (problems.length > 0) return { ok: false, problems: [...problems, ...(result.ok ? [] : result.problems)] };
  return result;
}

/** Config file text (JSONC) to a resolved config, or every problem with its field and reason. */
export function parseLocalConfigText(text: string, dev: DevIdpClient): ParseResult {
  const doc = parseJsonc(text);
  return 'problems' in doc ? { ok: false, problems: doc.problems } : resolveLocalConfig(doc.value, dev);
}
