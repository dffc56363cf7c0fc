/**
 * Every handler edge-oauth deploys is async-only (issue #15, item 8). Lambda's Node.js 24
 * runtime refuses callback handlers at init (`Runtime.CallbackHandlerDeprecated`): "Lambda
 * supports callback-based function handlers for Node.js 22 and earlier runtimes only"
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html), and its runtime
 * interface client tells them apart by the handler's arity, `handler.length >= 3` (reported
 * in honojs/hono#4772 for a Lambda@Edge handler, H4ad/serverless-adapter#378, slackapi/bolt-js#2970).
 *
 * So each entry is bundled the way it ships (esbuild, the runtime's target, the AWS SDK left
 * to the runtime, the config baked in; CommonJS, but the viewer's ES module: lib/functions.ts
 * `viewerBundling`) and the exported `handler` of the bundle is checked: at most two
 * parameters, and it answers with a Promise even for an event it cannot use (no synchronous
 * throw, no callback). An ES module bundle is imported in a child `node`, as Lambda imports an
 * `.mjs` handler (jest's module system here is CommonJS).
 */
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KEY_SET_GENERATOR_ENTRY, keySetGeneratorBundle } from '../../lib/key-set-generator/code';
import { ESBUILD_TARGET } from '../../lib/runtime';
import { ESM_REQUIRE_BANNER, VIEWER_SDK_ALIASES } from '../../lib/viewer-aliases';
import { fixtureConfig, ROOT } from './helpers';

/** Every function entry under lambdas/ (one folder per deployed function, each with an index.ts). */
const LAMBDA_ENTRIES = fs
  .readdirSync(path.join(ROOT, 'lambdas'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, 'lambdas', d.name, 'index.ts')))
  .map((d) => path.join(ROOT, 'lambdas', d.name, 'index.ts'));

/** The entries bundled as ES modules (lib/functions.ts `viewerBundling`, the small AWS clients in place of the SDK's): the viewer's. */
const ESM_ENTRIES = new Set([path.join(ROOT, 'lambdas', 'edge', 'index.ts')]);

/** Deploy-time handlers under lib/ (custom resources), one folder each with a handler.ts. */
const LIB_HANDLERS = fs
  .readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, 'lib', d.name, 'handler.ts')))
  .map((d) => path.join(ROOT, 'lib', d.name, 'handler.ts'));

function bundle(entry: string, format: 'cjs' | 'esm' = 'cjs'): string {
  const config = fixtureConfig();
  const out = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format,
    // The viewer's bundle as lib/functions.ts viewerBundling makes it: the small AWS clients, the require banner.
    ...(format === 'esm' && { banner: { js: ESM_REQUIRE_BANNER }, alias: VIEWER_SDK_ALIASES }),
    external: ['@aws-sdk/*'],
    minify: true,
    define: { __EDGE_OAUTH_CONFIG__: JSON.stringify(config), __EDGE_OAUTH_KEY_SET_REGIONS__: JSON.stringify([config.aws.region]) },
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** What a handler showed: its parameter count, and what calling it with an event it cannot use did. */
interface Probe {
  readonly length: number;
  readonly threw: boolean;
  readonly promise: boolean;
}

/** A third argument as the Node 22 runtime passes it: a callback handler would answer through it, not with a Promise. */
const PROBE = `async (handler) => {
  let result, threw = false;
  try { result = handler({ RequestType: 'Delete', PhysicalResourceId: 'x', Records: [] }, {}, () => undefined); } catch { threw = true; }
  const promise = result instanceof Promise;
  if (promise) await result.catch(() => undefined);
  return { length: handler.length, threw, promise };
}`;

/** Loads a CommonJS bundle the way the runtime does (module.exports), with the real `require` for the external SDK, and probes its handler. */
async function probeCommonJs(code: string): Promise<Probe> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', '__filename', '__dirname', code)(module, module.exports, require, 'index.js', ROOT);
  expect(typeof module.exports.handler).toBe('function');
  return (new Function(`return ${PROBE}`)() as (h: unknown) => Promise<Probe>)(module.exports.handler);
}

/** Imports an ES module bundle in a child `node` (no CommonJS `require` in scope) and probes its handler there; AWS endpoints on a closed loopback port. */
function probeEsm(code: string): Probe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-esm-'));
  try {
    fs.writeFileSync(path.join(dir, 'index.mjs'), code);
    const script = `import { pathToFileURL } from 'node:url';
const m = await import(pathToFileURL(process.argv[1]).href);
if (typeof m.handler !== 'function') throw new Error('no handler export');
process.stdout.write('PROBE ' + JSON.stringify(await (${PROBE})(m.handler)) + '\\n');
process.exit(0);`;
    const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' };
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, path.join(dir, 'index.mjs')], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    const line = out.split('\n').find((l) => l.startsWith('PROBE '));
    if (line === undefined) throw new Error(`no probe result: ${out.slice(0, 500)}`);
    return JSON.parse(line.slice('PROBE '.length)) as Probe;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const cases: Array<[name: string, probe: () => Promise<Probe>]> = [
  ...LAMBDA_ENTRIES.map((entry): [string, () => Promise<Probe>] => [
    path.relative(ROOT, entry),
    ESM_ENTRIES.has(entry) ? async () => probeEsm(bundle(entry, 'esm')) : () => probeCommonJs(bundle(entry)),
  ]),
  // The key-set generator ships as its own bundle (lib/key-set-generator/code.ts); the others as NodejsFunction bundles them.
  ...LIB_HANDLERS.map((entry): [string, () => Promise<Probe>] => [
    path.relative(ROOT, entry),
    () => probeCommonJs(entry === KEY_SET_GENERATOR_ENTRY ? Buffer.from(keySetGeneratorBundle().code).toString('utf8') : bundle(entry)),
  ]),
];

test('the deployed functions are the ones this test knows', () => {
  expect(LAMBDA_ENTRIES.map((e) => path.relative(ROOT, e)).sort()).toEqual(['lambdas/admin/index.ts', 'lambdas/authorizer/index.ts', 'lambdas/callback/index.ts', 'lambdas/edge/index.ts']);
  expect(LIB_HANDLERS.map((e) => path.relative(ROOT, e)).sort()).toEqual(['lib/attach/handler.ts', 'lib/cognito-client-secret/handler.ts', 'lib/key-set-generator/handler.ts']);
});

describe.each(cases)('%s', (_name, probe) => {
  let probed: Probe;

  beforeAll(async () => {
    probed = await probe();
  }, 60_000);

  test('takes at most (event, context): no callback parameter', () => {
    expect(probed.length).toBeLessThanOrEqual(2);
  });

  test('answers with a Promise, also for an event it cannot use', () => {
    expect(probed.threw).toBe(false);
    expect(probed.promise).toBe(true);
  });
});
