/**
 * The docs' "npm start -- --config" examples work as written: every ```jsonc block whose first
 * line is a comment naming that command is parsed the way the local stack parses a config
 * file (local/stack/dev-provider.ts `parseLocalConfigText`, the embedded dev IdP for `type: "dev"`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLocalConfigText } from '../../local/stack/dev-provider';

const DOCS = join(__dirname, '..', '..', 'docs');
const DEV = { issuer: 'http://localhost:4000', clientId: 'edge-oauth-local', clientSecretId: 'edge-oauth/dev-client-secret' };

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
}

const examples = markdownFiles(DOCS).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/^```jsonc\n(\/\/[^\n]*npm start -- --config[^\n]*\n[\s\S]*?)^```$/gm)].map((m) => [file.slice(DOCS.length + 1), m[1]!] as const),
);

test('the docs hold such examples (the marker is still in use)', () => {
  expect(examples.map(([file]) => file).sort()).toEqual(expect.arrayContaining(['access-rules.md', 'local-stack.md']));
});

test.each(examples)('%s: the example config is valid for the local stack', (_file, text) => {
  const parsed = parseLocalConfigText(text, DEV);
  expect(parsed.ok ? [] : parsed.problems).toEqual([]);
});
