/**
 * Every handler edge-oauth deploys is async-only (issue #15, item 8). Lambda's Node.js 24
 * runtime refuses callback handlers at init (`Runtime.CallbackHandlerDeprecated`): "Lambda
 * supports callback-based function handlers for Node.js 22 and earlier runtimes only"
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html), and its runtime
 * interface client tells them apart by the handler's arity, `handler.length >= 3` (reported
 * in honojs/hono#4772 for a Lambda@Edge handler, H4ad/serverless-adapter#378, slackapi/bolt-js#2970).
 *
 * So each entry is bundled the way it ships (esbuild, CommonJS, the runtime's target, the
 * AWS SDK left to the runtime, the config baked in) and the exported `handler` of the bundle
 * is checked: at most two parameters, and it answers with a Promise even for an event it
 * cannot use (no synchronous throw, no callback).
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEY_SET_GENERATOR_ENTRY, keySetGeneratorBundle } from '../../lib/key-set-generator/code';
import { ESBUILD_TARGET } from '../../lib/runtime';
import { fixtureConfig, ROOT } from './helpers';

/** Every function entry under lambdas/ (one folder per deployed function, each with an index.ts). */
const LAMBDA_ENTRIES = fs
  .readdirSync(path.join(ROOT, 'lambdas'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, 'lambdas', d.name, 'index.ts')))
  .map((d) => path.join(ROOT, 'lambdas', d.name, 'index.ts'));

/** Deploy-time handlers under lib/ (custom resources), one folder each with a handler.ts. */
const LIB_HANDLERS = fs
  .readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, 'lib', d.name, 'handler.ts')))
  .map((d) => path.join(ROOT, 'lib', d.name, 'handler.ts'));

function bundle(entry: string): string {
  const config = fixtureConfig();
  const out = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    external: ['@aws-sdk/*'],
    minify: true,
    define: { __EDGE_OAUTH_CONFIG__: JSON.stringify(config), __EDGE_OAUTH_KEY_SET_REGIONS__: JSON.stringify([config.aws.region]) },
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Loads a CommonJS bundle the way the runtime does (module.exports), with the real `require` for the external SDK. */
function load(code: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', '__filename', '__dirname', code)(module, module.exports, require, 'index.js', ROOT);
  return module.exports;
}

const cases: Array<[name: string, code: () => string]> = [
  ...LAMBDA_ENTRIES.map((entry): [string, () => string] => [path.relative(ROOT, entry), () => bundle(entry)]),
  // The key-set generator ships as its own bundle (lib/key-set-generator/code.ts); the others as NodejsFunction bundles them.
  ...LIB_HANDLERS.map((entry): [string, () => string] => [
    path.relative(ROOT, entry),
    entry === KEY_SET_GENERATOR_ENTRY ? () => Buffer.from(keySetGeneratorBundle().code).toString('utf8') : () => bundle(entry),
  ]),
];

test('the deployed functions are the ones this test knows', () => {
  expect(LAMBDA_ENTRIES.map((e) => path.relative(ROOT, e)).sort()).toEqual(['lambdas/admin/index.ts', 'lambdas/authorizer/index.ts', 'lambdas/callback/index.ts', 'lambdas/edge/index.ts']);
  expect(LIB_HANDLERS.map((e) => path.relative(ROOT, e)).sort()).toEqual(['lib/attach/handler.ts', 'lib/cognito-client-secret/handler.ts', 'lib/key-set-generator/handler.ts']);
});

describe.each(cases)('%s', (_name, code) => {
  let handler: (...args: unknown[]) => unknown;

  beforeAll(() => {
    const exported = load(code()).handler;
    expect(typeof exported).toBe('function');
    handler = exported as typeof handler;
  }, 60_000);

  test('takes at most (event, context): no callback parameter', () => {
    expect(handler.length).toBeLessThanOrEqual(2);
  });

  test('answers with a Promise, also for an event it cannot use', async () => {
    let result: unknown;
    expect(() => {
      // A third argument as the Node 22 runtime passes it: a callback handler would answer through it, not with a Promise.
      result = handler({ RequestType: 'Delete', PhysicalResourceId: 'x', Records: [] }, {}, () => undefined);
    }).not.toThrow();
    expect(result).toBeInstanceOf(Promise);
    await (result as Promise<unknown>).catch(() => undefined);
  });
});
