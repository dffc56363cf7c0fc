/** `admin.emails`: exact emails, lowercased, deduplicated; a bad one names its field; absent: no console. */
import { parseConfig } from '../../lambdas/core/config/parse';

const base = { providers: [{ type: 'google', clientId: 'c', clientSecret: 's' }] };

test('admin.emails: default empty; lowercased and deduplicated', () => {
  const none = parseConfig(base);
  expect(none.ok && none.config.admin).toEqual({ emails: [] });
  const some = parseConfig({ ...base, admin: { emails: ['Ops@Example.com', 'ops@example.com', 'lead@example.com'] } });
  expect(some.ok && some.config.admin.emails).toEqual(['ops@example.com', 'lead@example.com']);
});

test('admin: a bad email or an unknown field is a problem naming the field', () => {
  const out = parseConfig({ ...base, admin: { emails: ['example.com'], domains: ['example.com'] } });
  expect(out.ok).toBe(false);
  if (out.ok) return;
  expect(out.problems).toEqual(
    expect.arrayContaining([
      { path: 'admin.emails[0]', message: 'must be an email address with exactly one "@"' },
      { path: 'admin', message: 'unknown field(s): domains' },
    ]),
  );
});
