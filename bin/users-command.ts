/**
 * `edge-oauth users list|show|revoke`: App Users (one per provider user) and remote logout
 * of all of a user's sessions. A user is named by `<provider>:<user id>` (as `users list`
 * prints it) or by email (every App User with that email, across providers).
 */
import type { Command } from 'commander';
import type { AppUser, SessionRecord } from '../lambdas/core/stores';
import { revokeUserSessions } from '../lambdas/core/session/revoke';
import { mustResolveUsers, SESSION_HEADERS, sessionJson, sessionRows, userRef } from './records';
import { CliError, formatTime, renderTable, withStoreOptions, withStores, type CliIo, type StoreOptions } from './store-options';
import { printable } from './printable';

const userJson = (u: AppUser) => ({ id: userRef(u), ...u });

export function registerUsersCommands(program: Command, io: CliIo): void {
  const users = program.command('users').description('App Users: who signed in, when, from where');

  withStoreOptions(users.command('list').description('list App Users (a table scan)'))
    .option('--email <email>', 'only the users with this email')
    .option('--limit <n>', 'at most this many users', '1000')
    .action(async (options: StoreOptions & { email?: string; limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit: "${options.limit}" is not a positive whole number`);
      const list = await withStores(options, (s) => (options.email !== undefined ? s.users.findByEmail(options.email) : s.users.listUsers({ limit })));
      list.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
      if (options.json) return io.out(JSON.stringify(list.map(userJson), null, 2));
      if (list.length === 0) return io.out('no App Users');
      io.out(
        renderTable(
          ['USER', 'EMAIL', 'NAME', 'LAST SEEN (UTC)', 'SIGN-INS', 'HOSTS'],
          list.map((u) => [userRef(u), u.email ?? '-', u.name ?? '-', formatTime(u.lastSeenAt), String(u.signIns ?? 0), u.hosts.join(',')]),
        ),
      );
    });

  withStoreOptions(users.command('show').argument('<user>', '<provider>:<user id>, or an email').description("an App User and their sessions"))
    .action(async (ref: string, options: StoreOptions) => {
      const shown = await withStores(options, async (s) => {
        const found = await mustResolveUsers(s.users, ref);
        return Promise.all(found.map(async (user) => ({ user, sessions: await s.sessions.listSessionsOfUser(user.provider, user.userId) })));
      });
      if (options.json) {
        return io.out(JSON.stringify(shown.map(({ user, sessions }) => ({ ...userJson(user), sessions: sessions.map(sessionJson) })), null, 2));
      }
      io.out(shown.map(({ user, sessions }) => describeUser(user, sessions)).join('\n\n'));
    });

  withStoreOptions(users.command('revoke').argument('<user>', '<provider>:<user id>, or an email').description("sign a user out everywhere: revoke all of their sessions"))
    .action(async (ref: string, options: StoreOptions) => {
      const now = Math.floor(Date.now() / 1000);
      const done = await withStores(options, async (s) => {
        const found = await mustResolveUsers(s.users, ref);
        return Promise.all(
          found.map(async (user) => {
            // The admin console's revoke too (lambdas/core/session/revoke.ts).
            return { user: userRef(user), email: user.email, revoked: await revokeUserSessions(s.sessions, user, now, s.users) };
          }),
        );
      });
      if (options.json) return io.out(JSON.stringify(done, null, 2));
      for (const d of done) {
        io.out(`${printable(d.user)}${d.email !== undefined ? ` (${printable(d.email)})` : ''}: revoked ${d.revoked.length} active session(s); they stop working within the revocation check interval`);
      }
    });
}

function describeUser(user: AppUser, sessions: readonly SessionRecord[]): string {
  const fields: Array<[string, string]> = [
    ['user', userRef(user)],
    ['email', user.email ?? '-'],
    ['name', user.name ?? '-'],
    ['first seen', formatTime(user.firstSeenAt)],
    ['last seen', formatTime(user.lastSeenAt)],
    ['last sign-in', formatTime(user.lastSignInAt)],
    ['last checked at provider', formatTime(user.lastAuthCheckAt)],
    ['sign-ins', String(user.signIns ?? 0)],
    ['last IP', user.lastIp ?? '-'],
    ['last user agent', user.lastUserAgent ?? '-'],
    ['hosts', user.hosts.join(', ') || '-'],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const block = fields.map(([k, v]) => `${k.padEnd(width)}  ${printable(v)}`).join('\n');
  const table = sessions.length > 0 ? renderTable(SESSION_HEADERS, sessionRows(sessions)) : 'no sessions';
  return `${block}\n\n${table}`;
}
