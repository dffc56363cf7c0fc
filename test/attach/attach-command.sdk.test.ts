/**
 * `edge-oauth attach` / `detach` end to end: the command, the real
 * @aws-sdk/client-cloudfront, the local CloudFront control plane (ETag required and
 * checked). Skipped when the CloudFront client is not installed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerAttachCommands } from '../../bin/attach-command';
import { canonicalJson } from '../../lib/attach/canonical';
import { startCloudFrontApi, type CloudFrontApiHandle } from '../../local/emulators/cloudfront-api/server';
import { plainOf } from '../../local/emulators/cloudfront-api/xml';
import { describeWithCloudFrontSdk } from '../support/cloudfront-sdk';
import { AUTH_OAC, CALLBACK_URL_HOST, EDGE_ARN, SITE_OAC, siteConfig } from './fixtures';

const ID = 'E123ABC';

describeWithCloudFrontSdk('edge-oauth attach / detach against the local CloudFront API', () => {
  let api: CloudFrontApiHandle;
  let outputs: string;

  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    outputs = join(mkdtempSync(join(tmpdir(), 'edge-oauth-attach-')), 'cdk-outputs.json');
    writeFileSync(outputs, JSON.stringify({ EdgeOAuth: { ViewerRequestVersionArn: EDGE_ARN, CallbackDomainName: CALLBACK_URL_HOST, CallbackOriginAccessControlId: AUTH_OAC, SiteUrl: 'x' } }));
  });
  beforeEach(async () => {
    api = await startCloudFrontApi({ originAccessControls: [SITE_OAC, AUTH_OAC], distributions: { [ID]: siteConfig() } });
  });
  afterEach(() => api.close());

  async function cli(...args: string[]): Promise<{ out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command('edge-oauth').exitOverride();
    registerAttachCommands(program, { out: (l) => out.push(l), err: (l) => err.push(l) });
    await program.parseAsync(['node', 'edge-oauth', ...args, '--distribution-id', ID, '--outputs', outputs, '--endpoint', api.endpoint]);
    return { out: out.join('\n'), err: err.join('\n') };
  }

  test('--dry-run shows the diff and changes nothing; attach applies it; attach again changes nothing; detach gives the original back', async () => {
    const original = api.get(ID);
    const dry = await cli('attach', '--dry-run');
    expect(dry.out).toContain('+++ distribution config (after)');
    expect(dry.out).toContain(`"LambdaFunctionARN": "${EDGE_ARN}"`);
    expect(dry.out).toContain(`dry run: nothing was changed on ${ID}`);
    expect(api.get(ID)).toEqual(original);

    const applied = await cli('attach');
    expect(applied.out).toContain(`${ID}: applied (ETag ${api.get(ID).etag})`);
    expect(api.get(ID).updates).toBe(1);
    expect(JSON.stringify(api.get(ID).config)).toContain('/auth/callback');

    expect((await cli('attach')).out).toBe(`${ID}: nothing to change (edge-oauth is already attached as asked).`);
    expect(api.get(ID).updates).toBe(1);

    await cli('detach');
    expect(api.get(ID).config).toEqual(original.config);
    expect(canonicalJson(api.get(ID).config)).toBe(canonicalJson(plainOf(siteConfig())));
    expect(api.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([200, 200]);
  });

  test('--protect chooses the behaviours', async () => {
    await cli('attach', '--protect', '*,/app/*');
    const c: any = api.get(ID).config;
    const img = c.CacheBehaviors.Items.find((b: any) => b.PathPattern === '/img/*');
    expect(JSON.stringify(img)).not.toContain(EDGE_ARN);
    expect(JSON.stringify(c.DefaultCacheBehavior)).toContain(EDGE_ARN);
  });

  test('a concurrent edit (stale ETag): read again and re-plan, the other change is kept', async () => {
    api.beforeNextUpdate((id) => api.edit(id, (c: any) => (c.Comment = 'edited in the console')));
    const { err } = await cli('attach');
    expect(err).toContain(`${ID} changed while we worked (PreconditionFailed): reading it again and planning again (try 2)`);
    expect(api.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([412, 200]);
    const c: any = api.get(ID).config;
    expect(c.Comment).toBe('edited in the console');
    expect(JSON.stringify(c)).toContain('/auth/callback');
  });

  test('a behaviour with a viewer-request function: refused with its name, nothing changed', async () => {
    api.edit(ID, (c: any) => {
      c.CacheBehaviors.Items[0].LambdaFunctionAssociations = { Quantity: '1', Items: [{ LambdaFunctionARN: 'arn:aws:lambda:us-east-1:111122223333:function:basic-auth:2', EventType: 'viewer-request', IncludeBody: 'false' }] };
    });
    const before = api.get(ID);
    await expect(cli('attach')).rejects.toThrow(/behaviour "\/app\/\*" already has a viewer-request Lambda@Edge function: arn:aws:lambda:us-east-1:111122223333:function:basic-auth:2/);
    expect(api.get(ID)).toEqual(before);
    expect(api.requests.some((r) => r.method === 'PUT')).toBe(false);
  });
});
