/**
 * The local stack watches the parts it started as processes (DynamoDB Local; the IdP, the
 * emulators and the origin run inside this process, so they end with it). When DynamoDB
 * Local ends unexpectedly (killed, out of memory), the stack says so on stderr and starts it
 * again on the same port (same data directory; in-memory tables are created again, their
 * items are gone), at most `maxRestarts` times in 10 minutes; after that it gives up with an
 * error (`onFatal`), so no one is left on a 503 with no line saying why.
 */
import { startDynamoDbLocal, type DynamoDbLocalHandle } from '../emulators/dynamodb/dynamodb-local';

export interface SuperviseOptions {
  readonly dataDir?: string | undefined;
  /** After a restart, before the stack is used again (create the tables). */
  readonly afterRestart: (endpoint: string) => Promise<void>;
  readonly log: (line: string) => void;
  readonly onFatal: (error: Error) => void;
  /** @default 3 */
  readonly maxRestarts?: number;
}

const WINDOW_MS = 10 * 60_000;

/** Watches `first`; returns the closer of whichever process runs at the time. */
export function superviseDynamoDbLocal(first: DynamoDbLocalHandle, options: SuperviseOptions): { close(): Promise<void>; current(): DynamoDbLocalHandle } {
  let current = first;
  let closed = false;
  const restarts: number[] = [];
  const port = Number(new URL(first.endpoint).port);
  const watch = (handle: DynamoDbLocalHandle) =>
    handle.onUnexpectedExit((how, output) => {
      if (closed) return;
      const now = Date.now();
      while (restarts.length > 0 && now - restarts[0]! > WINDOW_MS) restarts.shift();
      const max = options.maxRestarts ?? 3;
      // Its last line when it names a failure (an OutOfMemoryError...); not the start-up banner.
      const last = output.split('\n').pop() ?? '';
      options.log(`edge-oauth local stack: DynamoDB Local (pid ${handle.pid ?? '?'}) exited (${how})${/error|exception/i.test(last) ? `; its last output: ${last}` : ''}`);
      if (restarts.length >= max) {
        options.onFatal(new Error(`DynamoDB Local exited ${max + 1} times in 10 minutes; stopping the stack (sessions cannot be checked without it)`));
        return;
      }
      restarts.push(now);
      options.log(`edge-oauth local stack: restarting DynamoDB Local on ${handle.endpoint} (${restarts.length}/${max})${options.dataDir === undefined ? '; its tables were in memory: they are created again and everyone signs in again' : ''}`);
      void (async () => {
        try {
          const next = await startDynamoDbLocal({ port, ...(options.dataDir !== undefined && { dataDir: options.dataDir }) });
          if (closed) return void (await next.close());
          current = next;
          watch(next);
          await options.afterRestart(next.endpoint);
          options.log(`edge-oauth local stack: DynamoDB Local is back on ${next.endpoint} (pid ${next.pid ?? '?'})`);
        } catch (error) {
          options.onFatal(new Error(`DynamoDB Local could not be restarted: ${(error as Error).message}`));
        }
      })();
    });
  watch(first);
  return {
    current: () => current,
    close: async () => {
      closed = true;
      await current.close();
    },
  };
}
