/**
 * Config text (JSON with comments, JSONC) to a validated config. Every problem is reported
 * with its field path (or line and column) and the reason; nothing of the config's values
 * is echoed beyond what the reason needs. Pure: reading the file is the caller's
 * (lib/config-file.ts).
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseConfig, type ConfigProblem, type ParseResult } from './parse';

/** Parses config text (JSONC). Never throws. */
export function parseConfigText(text: string): ParseResult {
  const doc = parseJsonc(text);
  return 'problems' in doc ? { ok: false, problems: doc.problems } : parseConfig(doc.value);
}

/** JSONC text to a value, or the syntax problems with their line and column. Never throws. */
export function parseJsonc(text: string): { value: unknown } | { problems: ConfigProblem[] } {
  const errors: ParseError[] = [];
  const doc: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const problems: ConfigProblem[] = errors.map((e) => {
      const before = text.slice(0, e.offset);
      const line = before.split('\n').length;
      const column = e.offset - before.lastIndexOf('\n');
      return { path: `(line ${line}, column ${column})`, message: `not valid JSON: ${printParseErrorCode(e.error)}` };
    });
    return { problems };
  }
  return { value: doc };
}
