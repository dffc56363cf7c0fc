/** Shared fixtures for the CDK tests: configs, apps that skip bundling, cdk-nag, template walks. */
import { App, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as path from 'node:path';
import { loadConfigFile } from '../../lib/config-file';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';

export const ROOT = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const EXAMPLE_CONFIG_FILE = path.join(ROOT, 'edge-oauth.config.example.jsonc');
export const FIXTURE_CONFIG_FILE = path.join(FIXTURES, 'config.jsonc');

/** The test fixture config: no site domain, three providers (two share one JSON secret), no auth check interval. */
export function fixtureConfig(): EdgeConfig {
  return loadConfigFile(FIXTURE_CONFIG_FILE);
}

/** A config from an object (through the real schema, so defaults are filled in). */
export function configFrom(input: unknown): EdgeConfig {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.config;
}

/** An app that does not run esbuild (unit tests look at the template, not the code). */
export function appWithoutBundling(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
}

/** cdk-nag AwsSolutions over `scope`: the findings that are not acknowledged. */
export function nagFindings(scope: Stack | App): NagFinding[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: String(v.severity),
    paths: v.violatingResources.map((r) => (r as { constructPath?: string }).constructPath ?? r.resourceLogicalId ?? '?'),
  }));
}

/** Every value in a JSON tree, depth first (for "nothing in the template mentions X"). */
export function* walk(node: unknown, at: string[] = []): Generator<{ path: string[]; value: unknown }> {
  yield { path: at, value: node };
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* walk(node[i], [...at, String(i)]);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, child] of Object.entries(node)) yield* walk(child, [...at, key]);
  }
}

/** The logical ids a JSON tree references (Ref / Fn::GetAtt; pseudo parameters such as AWS::Region left out). */
export function referencedIds(node: unknown): Set<string> {
  const ids = new Set<string>();
  for (const { value } of walk(node)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string' && !ref.startsWith('AWS::')) ids.add(ref);
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.add(getAtt[0]);
  }
  return ids;
}

/** The logical id of the only resource of `type` whose id starts with `prefix`. */
export function logicalId(resources: Record<string, { Type: string }>, type: string, prefix: string): string {
  const ids = Object.entries(resources)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} starting ${prefix}, found: ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}
