/** The demo origin echoes what it received, as JSON or as an escaped HTML page. */
import { startDemoOrigin, type DemoOriginHandle } from '../../local/stack/origin';

let origin: DemoOriginHandle;
beforeAll(async () => {
  origin = await startDemoOrigin({});
});
afterAll(() => origin.close());

test('JSON when Accept includes application/json', async () => {
  const res = await fetch(`${origin.url}/some/path?a=1&b=two`, {
    method: 'POST',
    headers: { accept: 'text/html, application/json;q=0.9', 'edge-oauth-user-email': 'ann@example.com' },
    body: 'ignored',
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const echo = await res.json();
  expect(echo).toMatchObject({
    method: 'POST',
    path: '/some/path?a=1&b=two',
    headers: expect.objectContaining({ 'edge-oauth-user-email': 'ann@example.com' }),
  });
});

test('HTML shows who is signed in and every header, escaped', async () => {
  const res = await fetch(`${origin.url}/page?<q>`, {
    headers: {
      accept: 'text/html',
      'edge-oauth-user-name': '<script>alert(1)</script>',
      'edge-oauth-user-email': 'ann@example.com',
      'edge-oauth-provider': 'google',
      'edge-oauth-user-id': 'u-1',
      'x-custom': '"quoted" & <b>bold</b>',
    },
  });
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const html = await res.text();
  expect(html).toContain('<title>edge-oauth demo origin</title>');
  expect(html).toContain('Signed in as <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> ann@example.com via <strong>google</strong>');
  expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
  expect(html).not.toContain('<script>');
  expect(html).not.toContain('<b>bold');
  expect(html).toContain('<th>x-custom</th>');
});

test('HTML without identity headers says so', async () => {
  const html = await (await fetch(origin.url)).text();
  expect(html).toContain('No edge-oauth identity headers');
});

test('OPTIONS is a permissive CORS preflight; other responses carry the CORS origin', async () => {
  const pre = await fetch(`${origin.url}/api`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-token' },
  });
  expect(pre.status).toBe(204);
  expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
  expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
  expect(pre.headers.get('access-control-allow-methods')).toContain('PUT');
  expect(pre.headers.get('access-control-allow-headers')).toBe('x-token');

  const get = await fetch(`${origin.url}/api`, { headers: { origin: 'https://app.example', accept: 'application/json' } });
  expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example');
  expect(get.headers.get('access-control-allow-credentials')).toBe('true');
  const plain = await fetch(`${origin.url}/api`);
  expect(plain.headers.get('access-control-allow-origin')).toBeNull();
});
