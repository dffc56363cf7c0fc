/**
 * Every repository path the docs and the code comments name exists: a path from the
 * repository's root (`lambdas/store/aws/clients.ts`, `docs/config.md`) in README.md, docs/**,
 * lambdas/core/README.md and SECURITY.md, or in a comment of a TypeScript file, and every
 * relative link target of those Markdown files. A move that forgets a reference fails here,
 * naming the file that cites it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const SKIP = new Set(['node_modules', '.git', 'dist', 'cdk.out', 'test-output', '.out']);

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path, ext) : e.name.endsWith(ext) ? [path] : [];
  });
}

/** A path from the root: one of the repository's top folders, then a file with an extension we keep. */
const ROOT_PATH = /(?<![\w/.@-])(?:lambdas|lib|bin|local|test|docs|bench)\/[\w./-]*\w\.(?:ts|js|mjs|md|json|jsonc|png)\b/g;
/** A Markdown link's target: `](target)`, without a scheme or an anchor-only target. */
const MD_LINK = /\]\(([^)\s#]+)(?:#[^)]*)?\)/g;
/** Comments of a TypeScript file (a `//` inside a string such as a URL is harmless here: see ROOT_PATH). */
const COMMENT = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

function missing(cited: Iterable<[from: string, path: string]>): string[] {
  return [...cited].filter(([, path]) => !existsSync(path)).map(([from, path]) => `${relative(ROOT, from)} names ${relative(ROOT, path)}`);
}

test('every path named in the Markdown exists', () => {
  const markdown = [join(ROOT, 'README.md'), join(ROOT, 'SECURITY.md'), join(ROOT, 'lambdas/core/README.md'), ...files(join(ROOT, 'docs'), '.md')];
  const cited: Array<[string, string]> = [];
  for (const file of markdown) {
    const text = readFileSync(file, 'utf8');
    for (const [path] of text.matchAll(ROOT_PATH)) cited.push([file, join(ROOT, path)]);
    for (const [, target] of text.matchAll(MD_LINK)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      cited.push([file, join(dirname(file), target!)]);
    }
  }
  expect(cited.length).toBeGreaterThan(50);
  expect(missing(cited)).toEqual([]);
});

test('every path named in a code comment exists', () => {
  const code = ['lambdas', 'lib', 'bin', 'local', 'test', 'bench'].flatMap((dir) => files(join(ROOT, dir), '.ts'));
  const cited: Array<[string, string]> = [];
  for (const file of code) {
    for (const [comment] of readFileSync(file, 'utf8').matchAll(COMMENT)) {
      for (const [path] of comment.matchAll(ROOT_PATH)) cited.push([file, join(ROOT, path)]);
    }
  }
  expect(cited.length).toBeGreaterThan(50);
  expect(missing(cited)).toEqual([]);
});
