/** The `edge-oauth` command-line tool. */
import { Command } from 'commander';
import { registerAttachCommands } from './attach-command';
import { registerConfigCommands } from './config-command';
import { registerKeysCommands } from './keys-command';
import { registerLogsCommand } from './logs-command';
import { registerMauCommand } from './mau-command';
import { registerSessionsCommands } from './sessions-command';
import { printableLines } from './printable';
import { consoleIo, safeIo, type CliIo } from './store-options';
import { registerUsersCommands } from './users-command';
import { registerPoolUserCommands } from './pool-users-command';

/** `io`: where the operator commands print (tests capture it). */
export function buildProgram(raw: CliIo = consoleIo): Command {
  const io = raw === consoleIo ? raw : safeIo(raw);
  const program = new Command('edge-oauth')
    .description('edge-oauth: sign-in at CloudFront\'s edge. Operator tools.')
    .showHelpAfterError();
  registerConfigCommands(program);
  registerUsersCommands(program, io);
  registerPoolUserCommands(program.commands.find((c) => c.name() === 'users')!, io); // invite, disable, remove (a managed Cognito pool)
  registerSessionsCommands(program, io);
  registerMauCommand(program, io);
  registerKeysCommands(program, io);
  registerAttachCommands(program, io);
  registerLogsCommand(program, io);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    console.error(printableLines(`edge-oauth: ${(error as Error).message}`));
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
