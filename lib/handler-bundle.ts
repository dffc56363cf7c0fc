/**
 * A custom resource handler of this package, bundled at synth into one CommonJS `index.js`
 * (what `CustomResourceProvider` runs) with local esbuild, the AWS SDK left to the Lambda
 * runtime. (lib/key-set-generator/code.ts does the same for the key-set generator.)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESBUILD_TARGET } from './runtime';

export interface HandlerBundle {
  readonly code: Uint8Array;
  /** SHA-256 of `code`, hex. */
  readonly hash: string;
}

const PROJECT_ROOT = path.join(__dirname, '..');
const built = new Map<string, HandlerBundle>();

/** `directory/handler.ts` in this repository, `handler.js` in the package installed from npm. */
export function handlerEntry(directory: string): string {
  const source = path.join(directory, 'handler.ts');
  return fs.existsSync(source) ? source : path.join(directory, 'handler.js');
}

export function bundleHandler(entry: string): HandlerBundle {
  const cached = built.get(entry);
  if (cached !== undefined) return cached;
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    external: ['@aws-sdk/*'],
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error(`edge-oauth: esbuild produced no bundle for ${entry}`);
  const bundle = { code, hash: createHash('sha256').update(code).digest('hex') };
  built.set(entry, bundle);
  return bundle;
}

/** Calls `use` with a temporary directory holding the bundle as `index.js` (CustomResourceProvider copies it while constructed). */
export function withHandlerDirectory<T>(bundle: HandlerBundle, use: (directory: string) => T): T {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-handler-'));
  try {
    fs.writeFileSync(path.join(directory, 'index.js'), bundle.code);
    return use(directory);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
