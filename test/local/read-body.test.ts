/** The emulators' one body reader (local/emulators/read-body.ts): whole bodies, and each service's own refusal past its limit. */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readText, type BodyLimit } from '../../local/emulators/read-body';

async function post(body: string, limit?: BodyLimit): Promise<string> {
  const server: Server = createServer((req, res) => {
    readText(req, limit).then(
      (text) => res.end(`ok ${text.length}`),
      (error: Error) => res.end(`refused ${error.message}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
        let out = '';
        res.on('data', (c: Buffer) => (out += c.toString()));
        res.on('end', () => resolve(out));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.close();
  }
}

test('reads a whole body, unbounded without a limit, and refuses one past its limit with the service\'s error', async () => {
  const limit = { bytes: 1024, error: () => new Error('Request body too large.') };
  expect(await post('é'.repeat(512), limit)).toBe('ok 512'); // 1,024 bytes: at the limit
  expect(await post('x'.repeat(1025), limit)).toBe('refused Request body too large.');
  expect(await post('x'.repeat(200_000))).toBe('ok 200000');
});
