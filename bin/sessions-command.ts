/** `edge-oauth sessions list|revoke`: a user's sessions, and remote logout of one session. */
import type { Command } from 'commander';
import { revokeOneSession } from '../lambdas/core/session/revoke';
import { mustResolveUsers, SESSION_HEADERS, sessionJson, sessionRows, userRef } from './records';
import { CliError, renderTable, withStoreOptions, withStores, type CliIo, type StoreOptions } from './store-options';

export function registerSessionsCommands(program: Command, io: CliIo): void {
  const sessions = program.command('sessions').description('sessions: list a user\'s, revoke one');

  withStoreOptions(sessions.command('list').argument('<user>', '<provider>:<user id>, or an email').description("a user's sessions, newest first"))
    .action(async (ref: string, options: StoreOptions) => {
      const list = await withStores(options, async (s) => {
        const found = await mustResolveUsers(s.users, ref);
        return (await Promise.all(found.map((u) => s.sessions.listSessionsOfUser(u.provider, u.userId)))).flat().sort((a, b) => b.createdAt - a.createdAt);
      });
      if (options.json) return io.out(JSON.stringify(list.map((r) => sessionJson(r)), null, 2));
      io.out(list.length > 0 ? renderTable(SESSION_HEADERS, sessionRows(list)) : 'no sessions');
    });

  withStoreOptions(sessions.command('revoke').argument('<session-id>', 'the session id (from `sessions list`)').description('sign one session out'))
    .action(async (sessionId: string, options: StoreOptions) => {
      const now = Math.floor(Date.now() / 1000);
      const revoked = await withStores(options, async (s) => {
        // The admin console's revoke too (lambdas/core/session/revoke.ts).
        const record = await revokeOneSession(s.sessions, sessionId, now);
        if (record === undefined) throw new CliError(`no session "${sessionId}" (or it has expired)`);
        return record;
      });
      if (options.json) return io.out(JSON.stringify({ sessionId, user: userRef(revoked), revoked: true }));
      io.out(`revoked session ${sessionId} of ${userRef(revoked)}; it stops working within the revocation check interval`);
    });
}
