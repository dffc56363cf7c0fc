/**
 * The viewer bundle as deployed (esbuild: bundle, minify, platform node, target node22,
 * cjs, the small AWS clients in place of the SDK's (VIEWER_SDK_ALIASES, lib/functions.ts), the
 * parsed example config baked in with `define`), its size
 * minified and zipped (a real zip archive, deflate level 9), and its cold init: the time a
 * fresh `node` process takes to `require` it, measured inside the child with hrtime.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { loadConfigFile } from '../lib/config-file';
import { VIEWER_SDK_ALIASES } from '../lib/viewer-aliases';
import type { EdgeConfig } from '../lambdas/core/config/types';
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

/** @param config baked in; @default the example config. @param name the output's base name. */
export async function buildViewerBundle(config: EdgeConfig = loadConfigFile(path.join(ROOT, 'edge-oauth.config.example.jsonc')), name = 'viewer'): Promise<{ file: string; results: BundleResults }> {
  const out = await build({
    entryPoints: [path.join(ROOT, 'lambdas/edge/index.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    alias: VIEWER_SDK_ALIASES,
    define: { __EDGE_OAUTH_CONFIG__: JSON.stringify(config) },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.js`);
  writeFileSync(file, code);
  const zip = zipOne('index.js', code);
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
  /** Median `require` time of the bundle in a fresh process, ms. */
  medianMs: number;
  runsMs: number[];
  /** Median time to also load the AWS SDK client the first request needs (Secrets Manager), ms. */
  sdkFirstUseMedianMs: number;
  /** Median wall time of the whole child process (node start-up + require + exit), ms. */
  processMedianMs: number;
}

const CHILD = `
const t0 = process.hrtime.bigint();
const m = require(process.argv[1]);
const t1 = process.hrtime.bigint();
if (typeof m.handler !== 'function') throw new Error('no handler export');
let sdk = 0;
if (process.argv[2] === 'sdk') {
  const s0 = process.hrtime.bigint();
  require('@aws-sdk/client-secrets-manager');
  sdk = Number(process.hrtime.bigint() - s0) / 1e6;
}
process.stdout.write(JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, sdk }));
`;

export function coldInit(file: string, runs = 15): ColdInitResults {
  const requireRuns: number[] = [];
  const sdkRuns: number[] = [];
  const processRuns: number[] = [];
  execFileSync(process.execPath, ['-e', CHILD, file], { cwd: OUT_DIR }); // disk cache warm, as on a real host
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const out = JSON.parse(execFileSync(process.execPath, ['-e', CHILD, file, i % 3 === 0 ? 'sdk' : ''], { cwd: OUT_DIR, encoding: 'utf8' })) as {
      requireMs: number;
      sdk: number;
    };
    processRuns.push(Number(process.hrtime.bigint() - started) / 1e6);
    requireRuns.push(Math.round(out.requireMs * 100) / 100);
    if (out.sdk > 0) sdkRuns.push(out.sdk);
  }
  const r = (n: number) => Math.round(n * 100) / 100;
  return { medianMs: r(median(requireRuns)), runsMs: requireRuns, sdkFirstUseMedianMs: r(median(sdkRuns)), processMedianMs: r(median(processRuns)) };
}
