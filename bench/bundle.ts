/**
 * The viewer bundle as deployed (esbuild: bundle, minify, platform node, target node22, an ES
 * module with lib/functions.ts's `require` banner, the small AWS clients in place of the SDK's
 * (VIEWER_SDK_ALIASES, lib/viewer-aliases.ts), the parsed example config baked in with
 * `define`), its size minified and zipped (a real zip archive, deflate level 9, its one entry
 * `index.mjs` as NodejsFunction names an ES module bundle), and its cold init: the time a
 * fresh `node` process takes to `import()` it, its top-level `await` included (the init's key
 * read and connections go to loopback stubs, bench/aws-stubs.ts), measured inside the child
 * with hrtime.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { loadConfigFile } from '../lib/config-file';
import { ESM_REQUIRE_BANNER, VIEWER_SDK_ALIASES } from '../lib/viewer-aliases';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { startAwsStubs } from './aws-stubs';
import { median } from './harness';

const ROOT = path.resolve(__dirname, '..');
/** Inside the repository, so the child resolves `@aws-sdk/*` from node_modules like the runtime would. */
export const OUT_DIR = path.join(ROOT, 'bench', '.out');

export interface BundleResults {
  minifiedBytes: number;
  zippedBytes: number;
  /** The largest inputs by bytes in the minified output. */
  topInputs: Array<{ path: string; bytes: number }>;
}

/** The example config: what `buildViewerBundle` bakes in by default. */
export const exampleConfig = (): EdgeConfig => loadConfigFile(path.join(ROOT, 'edge-oauth.config.example.jsonc'));

/** @param config baked in; @default the example config. @param name the output's base name (`<name>.mjs`, `<name>.zip`). */
export async function buildViewerBundle(config: EdgeConfig = exampleConfig(), name = 'viewer'): Promise<{ file: string; results: BundleResults }> {
  const out = await build({
    entryPoints: [path.join(ROOT, 'lambdas/edge/index.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    banner: { js: ESM_REQUIRE_BANNER },
    external: ['@aws-sdk/*'],
    alias: VIEWER_SDK_ALIASES,
    define: { __EDGE_OAUTH_CONFIG__: JSON.stringify(config) },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.mjs`);
  writeFileSync(file, code);
  const zip = zipOne('index.mjs', code);
  writeFileSync(path.join(OUT_DIR, `${name}.zip`), zip);
  return { file, results: { minifiedBytes: code.length, zippedBytes: zip.length, topInputs: topInputs(out.metafile!) } };
}

function topInputs(meta: Metafile): Array<{ path: string; bytes: number }> {
  const output = Object.values(meta.outputs)[0]!;
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = m ? m[1]! : input.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([p, bytes]) => ({ path: p, bytes }));
}

/** A single-entry zip archive (PKWARE APPNOTE 4.3): local header, deflated data, central directory, end record. */
export function zipOne(name: string, data: Uint8Array): Buffer {
  const deflated = deflateRawSync(data, { level: 9 });
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(0, 10); // time, date
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(0o100644 * 0x10000, 38); // external attributes (unix mode)
  central.writeUInt32LE(0, 42); // local header offset
  const centralOffset = local.length + fileName.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, deflated, central, fileName, end]);
}

export interface ColdInitResults {
  /** Median time to `import()` the bundle in a fresh process (its top-level `await`, the init, included), ms. */
  medianMs: number;
  runsMs: number[];
  /** Median time to also load the AWS SDK client the first request needs (Secrets Manager), ms. */
  sdkFirstUseMedianMs: number;
  /** Median wall time of the whole child process (node start-up + import + exit), ms. */
  processMedianMs: number;
}

/**
 * An ES module child (`--input-type=module`): no CommonJS `require` in scope, as in Lambda's
 * import of an `.mjs` handler (an `-e` script of CommonJS has a global `require`, which would
 * hide a bundle's missing one). Its SDK load, for comparison, goes through `createRequire`.
 */
const CHILD = `
import { createRequire } from 'node:module';
const [bundle, mode] = process.argv.slice(1);
const t0 = process.hrtime.bigint();
const m = await import(bundle);
const t1 = process.hrtime.bigint();
if (typeof m.handler !== 'function') throw new Error('no handler export');
let sdk = 0;
if (mode === 'sdk') {
  const s0 = process.hrtime.bigint();
  createRequire(process.cwd() + '/')('@aws-sdk/client-secrets-manager');
  sdk = Number(process.hrtime.bigint() - s0) / 1e6;
}
process.stdout.write(JSON.stringify({ importMs: Number(t1 - t0) / 1e6, sdk }));
process.exit(0);
`;

/**
 * `runs` fresh processes import the bundle; its init reads the key set (`keySetSecret`) and
 * opens its connections to loopback stubs answering after `stubDelayMs`.
 */
export async function coldInit(file: string, options: { runs?: number; config?: EdgeConfig; keySetSecret: string; stubDelayMs: number }): Promise<ColdInitResults> {
  const config = options.config ?? exampleConfig();
  const runs = options.runs ?? 15;
  const stubs = await startAwsStubs({ delayMs: options.stubDelayMs, secrets: { [config.aws.sessionKeysSecretId]: options.keySetSecret }, items: {}, documents: {} });
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: config.aws.region,
    AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_ENDPOINT_URL_DYNAMODB: stubs.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stubs.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const url = pathToFileURL(file).href;
  const child = (mode: string) => execFileAsync(['--input-type=module', '-e', CHILD, url, mode], env);
  const importRuns: number[] = [];
  const sdkRuns: number[] = [];
  const processRuns: number[] = [];
  try {
    await child(''); // disk cache warm, as on a real host
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const out = JSON.parse(await child(i % 3 === 0 ? 'sdk' : '')) as { importMs: number; sdk: number };
      processRuns.push(Number(process.hrtime.bigint() - started) / 1e6);
      importRuns.push(Math.round(out.importMs * 100) / 100);
      if (out.sdk > 0) sdkRuns.push(out.sdk);
    }
  } finally {
    await stubs.close();
  }
  const r = (n: number) => Math.round(n * 100) / 100;
  return { medianMs: r(median(importRuns)), runsMs: importRuns, sdkFirstUseMedianMs: r(median(sdkRuns)), processMedianMs: r(median(processRuns)) };
}

/** The child's stdout (the stubs answer in this process, so the child must not block it: not execFileSync). */
function execFileAsync(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: OUT_DIR, env, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}
