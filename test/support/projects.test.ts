/**
 * jest's projects (jest.config.js) are by what a test needs, read from the file's path. This
 * holds the rule: every test file is in exactly one project, and no file needs more than its
 * project gives (DynamoDB Local, the local stack, Chromium, CDK). What a file needs is read
 * from its text and the helpers under test/ it imports (docs/development.md › Tests).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.config.js is CommonJS, read as jest reads it
const config = require('../../jest.config.js') as { projects: Array<{ displayName: string; testRegex: string; testPathIgnorePatterns: string[]; globalSetup?: string }> };

type Need = 'dynamodb' | 'stack' | 'browser' | 'cdk';
const NEEDS: ReadonlyArray<[Need, RegExp]> = [
  ['dynamodb', /\btestDynamoEndpoint\(|\bstartDynamoDbLocal\(/],
  ['stack', /\bstartLocalStack\(/],
  ['browser', /\buseChromium\(|\bdescribeWithChromium\(|from ["']playwright-core["']/],
  ['cdk', /from 'aws-cdk-lib[/']/],
];
/** The projects that give each need. */
const GIVEN_BY: Record<Need, readonly string[]> = {
  dynamodb: ['dynamodb', 'stack', 'browser'],
  stack: ['stack', 'browser'],
  browser: ['browser'],
  cdk: ['cdk'],
};

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

function projectsOf(file: string): string[] {
  return config.projects
    .filter((p) => new RegExp(p.testRegex).test(file) && !p.testPathIgnorePatterns.some((ignored) => new RegExp(ignored).test(file)))
    .map((p) => p.displayName);
}

/** The file's text and that of the helpers under test/ it imports, transitively. */
function textWithHelpers(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const helpers = [...text.matchAll(/from '(\.[^']+)'/g)]
    .map(([, spec]) => join(dirname(file), `${spec}.ts`))
    .filter((helper) => relative(join(ROOT, 'test'), helper).startsWith('..') === false && existsSync(helper));
  return [text, ...helpers.map((helper) => textWithHelpers(helper, seen))].join('\n');
}

const files = testFiles(join(ROOT, 'test'));

test('every test file is in exactly one project', () => {
  const wrong = files.map((file) => [relative(ROOT, file), projectsOf(file)] as const).filter(([, projects]) => projects.length !== 1);
  expect(wrong).toEqual([]);
});

test('no test file needs more than its project gives (name it *.dynamodb|stack|e2e|cdk.test.ts)', () => {
  const wrong: string[] = [];
  for (const file of files) {
    const [project] = projectsOf(file);
    const text = textWithHelpers(file);
    for (const [need, uses] of NEEDS) {
      if (uses.test(text) && !GIVEN_BY[need].includes(project!)) wrong.push(`${relative(ROOT, file)} (project ${project}) needs ${need}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('only the projects that need DynamoDB Local start it', () => {
  const starting = config.projects.filter((p) => p.globalSetup !== undefined).map((p) => p.displayName);
  expect(starting.sort()).toEqual(['browser', 'dynamodb', 'stack']);
});
