/**
 * A request's body, read whole, for the local emulators. With `limit`, a body past
 * `limit.bytes` fails with `limit.error()`: each stand-in answers it in its own service's shape
 * (Secrets Manager's `ValidationException`, CloudFront's `InvalidArgument`, ...).
 */
import type { IncomingMessage } from 'node:http';

export interface BodyLimit {
  readonly bytes: number;
  readonly error: () => Error;
}

export function readBody(req: IncomingMessage, limit?: BodyLimit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (limit !== undefined && size > limit.bytes) {
        if (!refused) reject(limit.error());
        refused = true;
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readText(req: IncomingMessage, limit?: BodyLimit): Promise<string> {
  return (await readBody(req, limit)).toString('utf8');
}
