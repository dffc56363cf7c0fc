/**
 * Reading a config file from disk (the CDK app, the CLI and the local stack): the file,
 * then `parseConfigText` (lambdas/core/config/parse-text.ts). Throws ConfigError listing
 * every problem with its field path and the reason.
 */
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../lambdas/core/config/parse-text';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { ConfigError } from '../lambdas/core/errors';

export { ConfigError };

/** Reads and validates a config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string): EdgeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read the file (${code})` }]);
  }
  const result = parseConfigText(text);
  if (!result.ok) throw new ConfigError(file, result.problems);
  return result.config;
}
