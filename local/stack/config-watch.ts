/**
 * `npm start -- --config <file>` follows the file: each saved change is reloaded as a
 * redeploy would (local/stack/stack.ts reloadText: new handler containers with the new config on
 * the same tables, key set and sessions). A broken edit is reported with each problem's
 * field and reason (the config parser's problems) and the last good config keeps running.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { LocalStack } from './stack';

export interface WatchOutput {
  out(line: string): void;
  err(line: string): void;
}

/** How often the file is looked at (polled: editors that save by renaming are seen too). */
export const CONFIG_POLL_MS = 250;

/** Watches `file` (whose current text is `first`); returns the stop function. */
export function watchConfigFile(file: string, first: string, stack: Pick<LocalStack, 'reloadText'>, output: WatchOutput): () => void {
  let last = first;
  const onChange = () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // mid-save (renamed away): the next poll sees the new file
    }
    if (text === last) return;
    last = text;
    const result = stack.reloadText(text);
    if (!result.ok) {
      output.err(`${file}: not reloaded, the last good config keeps running:\n${result.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
      return;
    }
    output.out(`${file}: reloaded (new handler containers; same tables, key set and sessions)${result.notes.map((n) => `\n  note: ${n}`).join('')}`);
  };
  watchFile(file, { interval: CONFIG_POLL_MS }, onChange);
  return () => unwatchFile(file, onChange);
}
