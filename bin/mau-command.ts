/** `edge-oauth mau [--month YYYY-MM]`: the month's count of distinct active users. */
import type { Command } from 'commander';
import { monthOf } from '../lambdas/core/session/monthly-active-users';
import { CliError, withStoreOptions, withStores, type CliIo, type StoreOptions } from './store-options';

export function registerMauCommand(program: Command, io: CliIo): void {
  withStoreOptions(program.command('mau').description('monthly active users: each user who signed in or made a request that month, counted once'))
    .option('--month <YYYY-MM>', 'the month (UTC)', monthOf(Math.floor(Date.now() / 1000)))
    .action(async (options: StoreOptions & { month: string }) => {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) throw new CliError(`--month: "${options.month}" is not a month such as 2026-03`);
      const count = await withStores(options, (s) => s.mau.count(options.month));
      io.out(options.json ? JSON.stringify({ month: options.month, count }) : `${options.month}: ${count} monthly active user(s)`);
    });
}
