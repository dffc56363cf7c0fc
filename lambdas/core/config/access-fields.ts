/**
 * The config's access fields (zod): who may sign in (`allow`: emails, email domains,
 * groups), which paths need no sign-in (`publicPaths`) and which are narrowed to some
 * users (`paths`). Group names are resolved against the providers in access-rules.ts.
 * docs/access-rules.md explains the semantics; access/ applies them.
 */
import { z } from 'zod';

export const email = z
  .string()
  .refine((v) => /^[^@\s]+@[^@\s]+$/.test(v), { message: 'must be an email address with exactly one "@"' })
  .transform((v) => v.toLowerCase());

export const domain = z
  .string()
  .refine((v) => /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v), {
    message: 'must be a domain such as "example.com" (no "@", no wildcard; matched exactly)',
  })
  .transform((v) => v.toLowerCase());

export const groupName = z
  .string()
  .min(1, 'must name a group')
  .max(512, 'must be at most 512 characters')
  .refine((v) => !/[\x00-\x1f\x7f]/.test(v) && v.trim() === v, { message: 'must have no control characters and no surrounding spaces' });

export const allowList = z.strictObject({
  emails: z.array(email).default([]),
  emailDomains: z.array(domain).default([]),
  groups: z.array(groupName).default([]),
});

/**
 * Why a configured path is not one CloudFront and the origin read alike, or undefined.
 * Only plain paths: an encoded, dotted or doubled spelling could mean another path to the
 * origin, and `/auth/` is edge-oauth's own.
 */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (/[\x00-\x20\x7f%\\?#;*]/.test(path)) return 'must be a plain path: no "%", "\\", "?", "#", ";", "*", spaces or control characters (no wildcards: "/x/" is a prefix)';
  if (path.includes('//')) return 'must not contain "//"';
  if (path.split('/').some((s) => s === '.' || s === '..' || (s !== '' && s.endsWith('.')))) return 'must have no "." or ".." segments and no segment ending in "."';
  if (/^\/auth(\/|$)/i.test(path)) return 'is under /auth, which is edge-oauth\'s own';
  return undefined;
}

const plainPath = z.string().superRefine((v, ctx) => {
  const problem = pathProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const publicPaths = z
  .array(plainPath.refine((v) => v !== '/', { message: 'would make the whole site public; list the public parts ("/public/", "/healthz")' }))
  .default([]);

export const pathRule = z.strictObject({
  prefix: plainPath,
  allow: allowList.refine((a) => a.emails.length + a.emailDomains.length + a.groups.length > 0, {
    message: 'must list at least one of emails, emailDomains, groups: a path rule admits only who it names',
  }),
});

export const pathRules = z.array(pathRule).default([]);
