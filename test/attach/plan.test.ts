/**
 * The attach/detach planner (lib/attach/plan.ts): pure, config in, config out. The attached
 * config must also pass the local CloudFront API's checks (local/emulators/cloudfront-api/validate.ts).
 */
import fc from 'fast-check';
import { AttachRefusedError } from '../../lambdas/core/errors';
import { diffConfigs } from '../../lib/attach/diff';
import { attachConfig, CALLBACK_ORIGIN_ID, detachConfig, isAttached, type AttachTargets } from '../../lib/attach/plan';
import { validateDistributionConfig } from '../../local/emulators/cloudfront-api/validate';
import { plainOf } from '../../local/emulators/cloudfront-api/xml';
import { AUTH_OAC, CALLBACK_URL_HOST, EDGE_ARN, SITE_OAC, siteConfig } from './fixtures';

const targets: AttachTargets = { viewerRequestVersionArn: EDGE_ARN, callbackDomainName: CALLBACK_URL_HOST, originAccessControlId: AUTH_OAC };
const FN = EDGE_ARN.replace(/:7$/, '');
const viewerArns = (b: any): string[] => (b.LambdaFunctionAssociations.Items ?? []).filter((a: any) => a.EventType === 'viewer-request').map((a: any) => a.LambdaFunctionARN);
const serviceAccepts = (c: object) => validateDistributionConfig(plainOf(c), undefined, new Set([SITE_OAC, AUTH_OAC]));

test('attach: the viewer-request function on every behaviour, the callback origin with OAC, /auth/callback and /auth/* first', () => {
  const original = siteConfig();
  const c = attachConfig(original, targets);
  expect(original).toEqual(siteConfig()); // the input is not touched
  expect(viewerArns(c.DefaultCacheBehavior)).toEqual([EDGE_ARN]);
  expect(c.CacheBehaviors.Items.map((b: any) => b.PathPattern)).toEqual(['/auth/callback', '/auth/*', '/app/*', '/img/*']);
  for (const b of c.CacheBehaviors.Items) expect(viewerArns(b)).toEqual([EDGE_ARN]);
  const img = c.CacheBehaviors.Items[3];
  expect(img.LambdaFunctionAssociations.Items.map((a: any) => a.EventType)).toEqual(['origin-request', 'viewer-request']);
  const origin = c.Origins.Items.find((o: any) => o.Id === CALLBACK_ORIGIN_ID);
  expect(origin).toMatchObject({ DomainName: CALLBACK_URL_HOST, OriginAccessControlId: AUTH_OAC, CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
  const [callback, auth] = c.CacheBehaviors.Items;
  expect(callback).toMatchObject({ TargetOriginId: CALLBACK_ORIGIN_ID, CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', AllowedMethods: { Quantity: 2 } });
  expect(auth).toMatchObject({ TargetOriginId: CALLBACK_ORIGIN_ID, AllowedMethods: { Quantity: 7 } });
  expect(isAttached(c)).toBe(true);
  expect(() => serviceAccepts(c)).not.toThrow();
});

test('attach then detach gives back the original exactly (same keys, same order); attach twice changes nothing', () => {
  const original = siteConfig();
  const attached = attachConfig(original, targets);
  expect(JSON.stringify(detachConfig(attached, FN))).toBe(JSON.stringify(original));
  expect(JSON.stringify(detachConfig(attached, EDGE_ARN))).toBe(JSON.stringify(original));
  expect(JSON.stringify(attachConfig(attached, targets))).toBe(JSON.stringify(attached));
  expect(JSON.stringify(detachConfig(original, FN))).toBe(JSON.stringify(original));
  expect(isAttached(original)).toBe(false);
});

test('re-attach with a new version or a narrower --protect replaces ours only', () => {
  const attached = attachConfig(siteConfig(), targets);
  const v8 = EDGE_ARN.replace(/:7$/, ':8');
  const again = attachConfig(attached, { ...targets, viewerRequestVersionArn: v8 });
  expect(viewerArns(again.DefaultCacheBehavior)).toEqual([v8]);
  expect(JSON.stringify(again).includes(EDGE_ARN)).toBe(false);
  const narrow = attachConfig(attached, targets, { protect: ['*', 'app/*'] });
  expect(viewerArns(narrow.DefaultCacheBehavior)).toEqual([EDGE_ARN]);
  const byPath = Object.fromEntries(narrow.CacheBehaviors.Items.map((b: any) => [b.PathPattern, viewerArns(b)]));
  expect(byPath).toEqual({ '/auth/callback': [EDGE_ARN], '/auth/*': [EDGE_ARN], '/app/*': [EDGE_ARN], '/img/*': [] });
  expect(JSON.stringify(detachConfig(narrow, FN))).toBe(JSON.stringify(siteConfig()));
});

function refusal(config: object, options = {}): string {
  try {
    attachConfig(config, targets, options);
  } catch (e) {
    expect(e).toBeInstanceOf(AttachRefusedError);
    expect((e as AttachRefusedError).code).toBe('ERR_ATTACH_REFUSED');
    return (e as Error).message;
  }
  throw new Error('attach was not refused');
}

test('a protected behaviour with a viewer-request Lambda@Edge or a CloudFront Function: refused, naming it', () => {
  const other = 'arn:aws:lambda:us-east-1:111122223333:function:basic-auth:12';
  const c = siteConfig();
  c.CacheBehaviors.Items[0].LambdaFunctionAssociations = { Quantity: 1, Items: [{ LambdaFunctionARN: other, EventType: 'viewer-request', IncludeBody: false }] };
  c.DefaultCacheBehavior.FunctionAssociations = { Quantity: 1, Items: [{ FunctionARN: 'arn:aws:cloudfront::111122223333:function/index-rewrite', EventType: 'viewer-request' }] };
  const before = structuredClone(c);
  const message = refusal(c);
  expect(message).toContain(`behaviour "/app/*" already has a viewer-request Lambda@Edge function: ${other}`);
  expect(message).toContain('behaviour "*" has a CloudFront Function on viewer-request: arn:aws:cloudfront::111122223333:function/index-rewrite');
  expect(message).toContain('nothing was changed');
  expect(c).toEqual(before);
  // Not refused when that behaviour is left unprotected.
  c.DefaultCacheBehavior.FunctionAssociations = { Quantity: 0 };
  expect(() => attachConfig(c, targets, { protect: ['*', '/img/*'] })).not.toThrow();
});

test('a behaviour already at /auth/* (or /auth/callback): refused; an unknown --protect pattern: refused', () => {
  for (const p of ['/auth/*', 'auth/*', '/auth/callback']) {
    const c = siteConfig();
    c.CacheBehaviors.Items[1].PathPattern = p;
    expect(refusal(c)).toContain(`already has a behaviour at "${p}" (to origin "site-bucket")`);
  }
  // A behaviour our /auth/* (placed first) would make unreachable; patterns are case-sensitive, and partial overlaps stay.
  for (const p of ['/auth/login*', 'auth/*.js', '/auth/x/y']) {
    const c = siteConfig();
    c.CacheBehaviors.Items[1].PathPattern = p;
    expect(refusal(c)).toContain(`behaviour "${p}" (to origin "site-bucket") only matches paths under /auth/, which edge-oauth's /auth/* behaviour would take over`);
  }
  for (const p of ['/AUTH/*', '/auth', '/auth*', '/authors/*']) {
    const c = siteConfig();
    c.CacheBehaviors.Items[1].PathPattern = p;
    expect(() => attachConfig(c, targets)).not.toThrow();
  }
  expect(refusal(siteConfig(), { protect: ['/nope/*'] })).toContain('--protect "/nope/*": the distribution has no such behaviour; it has "*", "/app/*", "/img/*"');
  expect(refusal(siteConfig(), { protect: [] })).toContain('--protect lists no behaviour');
  expect(() => attachConfig(siteConfig(), { ...targets, viewerRequestVersionArn: FN })).toThrow(/numbered version/);
});

test('detach∘attach is the identity, and attach is idempotent, over generated distributions', () => {
  const behaviour = fc.record({
    path: fc.constantFrom('/a/*', '/b/*', 'c/*', '/d/e/*', '*.jpg', '/auth'),
    originRequest: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.uniqueArray(behaviour, { selector: (b) => b.path, maxLength: 5 }), fc.boolean(), (behaviours, someProtected) => {
      const c = siteConfig();
      const template = c.CacheBehaviors.Items[0];
      c.CacheBehaviors = behaviours.length === 0 ? { Quantity: 0 } : {
        Quantity: behaviours.length,
        Items: behaviours.map((b) => ({
          ...structuredClone(template),
          PathPattern: b.path,
          LambdaFunctionAssociations: b.originRequest ? { Quantity: 1, Items: [{ LambdaFunctionARN: 'arn:aws:lambda:us-east-1:111122223333:function:o:1', EventType: 'origin-request', IncludeBody: true }] } : { Quantity: 0 },
        })),
      };
      const protect = someProtected ? ['*', ...behaviours.slice(0, 1).map((b) => b.path)] : undefined;
      const attached = attachConfig(c, targets, protect ? { protect } : {});
      serviceAccepts(attached);
      expect(JSON.stringify(detachConfig(attached, FN))).toBe(JSON.stringify(c));
      expect(JSON.stringify(attachConfig(attached, targets, protect ? { protect } : {}))).toBe(JSON.stringify(attached));
    }),
    { numRuns: 60 },
  );
});

test('the diff shows what attach adds, where, and nothing when nothing changes', () => {
  const before = siteConfig();
  const after = attachConfig(before, targets);
  const diff = diffConfigs(before, after);
  expect(diff.split('\n').slice(0, 2)).toEqual(['--- distribution config (now)', '+++ distribution config (after)']);
  expect(diff).toContain('@@ default behaviour (*) @@');
  expect(diff).toContain(`+          "LambdaFunctionARN": "${EDGE_ARN}"`);
  expect(diff).toMatch(/^- {4}"Quantity": 2,\n\+ {4}"Quantity": 3,$/m);
  expect(diff).toMatch(/\+ +"PathPattern": "\/auth\/callback",/);
  expect(diff).toMatch(/\+ +"Id": "edge-oauth-callback",/);
  expect(diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---') && !/"Quantity": \d+,?$/.test(l))).toEqual([]);
  expect(diffConfigs(before, siteConfig())).toBe('');
  // Origin custom header values (often a secret shared with the origin) never appear.
  const headerChanged = siteConfig();
  headerChanged.Origins.Items[1].CustomHeaders.Items[0].HeaderName = 'X-Other';
  const headerDiff = diffConfigs(before, headerChanged);
  expect(headerDiff).toContain('"HeaderValue": "(hidden)"');
  expect(headerDiff).not.toContain('a & b <c>');
  expect(diffConfigs(after, before)).toMatch(/^- +"PathPattern": "\/auth\/\*",/m);
});
