/**
 * The KeySetGenerator's Lambda code, bundled at synth: ./handler.ts and the key-set code it
 * imports from lambdas/core (one source of truth with the functions) become one CommonJS
 * `index.js` (what `CustomResourceProvider` runs), for the runtime of lib/runtime.ts, with
 * the AWS SDK left to the runtime. Local esbuild (as NodejsFunction uses), no Docker.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESBUILD_TARGET } from '../runtime';

export interface KeySetGeneratorBundle {
  /** The contents of `index.js` (exports `handler`). */
  readonly code: Uint8Array;
  /** SHA-256 of `code`, hex: changes whenever the handler or the key-set code changes. */
  readonly hash: string;
}

// The .ts source in this repository, the compiled .js in the package installed from npm.
export const KEY_SET_GENERATOR_ENTRY = fs.existsSync(path.join(__dirname, 'handler.ts')) ? path.join(__dirname, 'handler.ts') : path.join(__dirname, 'handler.js');
const PROJECT_ROOT = path.join(__dirname, '..', '..');

let built: KeySetGeneratorBundle | undefined;

/** Bundles the handler (once per process). Throws esbuild's errors when it does not build. */
export function keySetGeneratorBundle(): KeySetGeneratorBundle {
  if (built !== undefined) return built;
  let esbuild: typeof import('esbuild');
  try {
    esbuild = require('esbuild') as typeof import('esbuild');
  } catch (error) {
    throw new Error('edge-oauth: the key-set generator is bundled with esbuild at synth; install it (npm i -D esbuild)', { cause: error });
  }
  const result = esbuild.buildSync({
    entryPoints: [KEY_SET_GENERATOR_ENTRY],
    absWorkingDir: PROJECT_ROOT, // the bundle's path comments are relative to it: the same bytes on every machine
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    external: ['@aws-sdk/*'],
    // Readable (error names and stack traces reach CloudFormation's event reason); it is small.
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new Error('edge-oauth: esbuild produced no key-set generator bundle');
  built = { code, hash: createHash('sha256').update(code).digest('hex') };
  return built;
}

/**
 * Calls `use` with a temporary code directory holding the bundle as `index.js`, removed
 * when `use` returns: `CustomResourceProvider` copies the directory into the cloud assembly
 * while it is constructed.
 */
export function withKeySetGeneratorDirectory<T>(use: (directory: string) => T): T {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-key-set-generator-'));
  try {
    fs.writeFileSync(path.join(directory, 'index.js'), keySetGeneratorBundle().code);
    return use(directory);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
