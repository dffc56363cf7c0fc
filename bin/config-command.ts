/** `edge-oauth config check <file>`: every problem with its field path and reason, or a one-line summary. */
import type { Command } from 'commander';
import { formatDuration } from '../lambdas/core/config/duration';
import { ConfigError, loadConfigFile } from '../lib/config-file';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { printableLines } from './printable';

export function summarize(config: EdgeConfig): string {
  const providers = config.providers.map((p) => `${p.id} (${p.type}${p.cognito?.managed !== undefined ? ', a user pool the stack creates' : ''})`).join(', ');
  const groups = config.allow.groups?.length ?? 0;
  const allow =
    config.allow.emails.length + config.allow.emailDomains.length + groups === 0
      ? 'anyone who signs in'
      : `${config.allow.emails.length} email(s), ${config.allow.emailDomains.length} domain(s)${groups > 0 ? `, ${groups} group(s)` : ''}`;
  const publicPaths = config.publicPaths?.length ?? 0;
  const rules = config.paths?.length ?? 0;
  const access = publicPaths + rules > 0 ? `; ${publicPaths} public path(s), ${rules} path rule(s)` : '';
  const s = config.session;
  return (
    `ok: ${config.site.domain ?? '(host from request)'}: providers ${providers}; allow ${allow}${access}; ` +
    `auth check ${formatDuration(s.authCheckInterval)}, inactivity ${formatDuration(s.inactivityTimeout)}, ` +
    `max ${formatDuration(s.maxDuration)}; OPTIONS passthrough ${config.optionsPassthrough ? 'on' : 'off'}`
  );
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('work with edge-oauth configuration files');
  config
    .command('check')
    .argument('<file>', 'the config file (JSON with comments)')
    .description('validate a config file: lists every problem with its field path, or prints a summary')
    .action((file: string) => {
      try {
        console.log(printableLines(summarize(loadConfigFile(file))));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.error(`${file}: ${error.problems.length} problem(s)`);
        for (const p of error.problems) console.error(printableLines(`  ${p.path}: ${p.message}`));
        process.exitCode = 1;
      }
    });
}
