/**
 * Reading a config file: JSON with comments (JSONC), then the schema. Every problem is
 * reported with its field path and the reason; nothing of the config's values is echoed
 * beyond what the reason needs.
 */
import { readFileSync } from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseConfig, type ConfigProblem, type ParseResult } from './schema';
import type { EdgeConfig } from './types';

/** Parses config text (JSONC). Never throws. */
export function parseConfigText(text: string): ParseResult {
  const errors: ParseError[] = [];
  const doc: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const problems: ConfigProblem[] = errors.map((e) => {
      const before = text.slice(0, e.offset);
      const line = before.split('\n').length;
      const column = e.offset - before.lastIndexOf('\n');
      return { path: `(line ${line}, column ${column})`, message: `not valid JSON: ${printParseErrorCode(e.error)}` };
    });
    return { ok: false, problems };
  }
  return parseConfig(doc);
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
