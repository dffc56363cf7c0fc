/**
 * The one notion of "a usable email": an address the provider vouches for, in the one form
 * that is matched and passed on. Every decision that reads an email calls this file: the
 * site and provider allow-lists (sign-in/allow-list.ts), the path rules
 * (access/check-access.ts), `admin.emails` (admin/authorize.ts), the API authorizer's
 * identity, the identity headers and the identity assertion (viewer/identity-headers.ts,
 * viewer/assertion.ts), and what sign-in and every re-check store (sign-in/callback.ts,
 * session/refresh.ts). So no rule can admit an address another one refuses.
 *
 * An email is usable when it has exactly one `@` with text on both sides, and its provider
 * - does not say it is unverified (`email_verified: false`, OIDC Core 5.1; GitHub's
 *   primary email with `verified: false`), and
 * - documents some verification of it: Amazon documents none ("the email address that they
 *   have registered with Amazon", https://developer.amazon.com/docs/login-with-amazon/customer-profile.html),
 *   so an Amazon email is never usable, unless a provider states it verified.
 * An email whose verification the provider does not state (a generic OIDC issuer without
 * `email_verified`, a single-tenant Microsoft directory) is usable at sign-in: the operator
 * trusts the issuer they configured. On a re-check it keeps the standing of the same address
 * and is unverified when it is another (sign-in/allow-list.ts, recheckedEmail).
 */
import type { EdgeConfig, ProviderType } from '../config/types';
import type { EmailVerification } from '../stores';

/** What a provider said of a user's email (a profile, or a session record's standing). */
export interface EmailStatement {
  readonly email?: string | undefined;
  /** true / false: stated verified / unverified; undefined: not stated. */
  readonly emailVerified?: boolean | undefined;
  /** The provider documents no verification of its email (Amazon). */
  readonly emailUnverifiable?: boolean | undefined;
}

export type EmailStanding =
  | { readonly usable: true; readonly email: string }
  | { readonly usable: false; readonly why: 'missing' | 'unverified' | 'malformed' | 'unverifiable' };

/** Provider types that document no verification of the email they give (their profiles say `emailUnverifiable`). */
export const UNVERIFIABLE_EMAIL_TYPES: ReadonlySet<ProviderType> = new Set<ProviderType>(['amazon']);

/**
 * The one form of an email address that is matched and passed on: lower case, nothing
 * trimmed (a padded address is not the one the provider verified), and no character
 * outside ASCII lower-cased into ASCII (the Kelvin sign "\u212A" would become "k", and
 * "\u212Aim@example.com" pass for "kim@example.com").
 */
export function normalizeEmail(email: string): string {
  // Every request's identity headers pass here: an all-ASCII address (nearly all) is lower-cased
  // at once; only one with another character takes the per-character walk below.
  if (!NON_ASCII.test(email)) return email.toLowerCase();
  return Array.from(email, (c) => {
    const lower = c.toLowerCase();
    return !isAscii(c) && Array.from(lower).some(isAscii) ? c : lower;
  }).join('');
}

/** Any UTF-16 code unit past ASCII (a surrogate of an astral character included). */
const NON_ASCII = /[\u0080-\uffff]/;

function isAscii(c: string): boolean {
  return (c.codePointAt(0) ?? 0) <= 0x7f;
}

/** Whether, and why not, the statement's email is usable (checked in this order: missing, unverified, malformed, unverifiable). */
export function emailStanding(statement: EmailStatement): EmailStanding {
  const email = statement.email === undefined ? '' : normalizeEmail(statement.email);
  if (email === '') return { usable: false, why: 'missing' };
  if (statement.emailVerified === false) return { usable: false, why: 'unverified' };
  const at = email.indexOf('@');
  if (at <= 0 || at === email.length - 1 || email.indexOf('@', at + 1) !== -1) return { usable: false, why: 'malformed' };
  if (statement.emailUnverifiable === true && statement.emailVerified !== true) return { usable: false, why: 'unverifiable' };
  return { usable: true, email };
}

/** The usable email of a statement (normalised), or undefined. */
export function usableEmail(statement: EmailStatement): string | undefined {
  const standing = emailStanding(statement);
  return standing.usable ? standing.email : undefined;
}

/** A session record's standing (`emailVerification`) as a statement. */
export function storedStatement(email: string | undefined, verification: EmailVerification | undefined): EmailStatement {
  return { email, ...(verification === 'verified' && { emailVerified: true }), ...(verification === 'unverifiable' && { emailUnverifiable: true }) };
}

/**
 * The usable email of a session's identity (the cookie's, or the stored one): what sign-in or
 * the last check passed on, judged again, so that a cookie minted before this rule (an Amazon
 * address) or a provider whose type documents no verification never counts.
 */
export function sessionEmail(config: EdgeConfig, providerId: string, email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const type = config.providers.find((p) => p.id === providerId)?.type;
  // An unknown provider vouches for nothing.
  return usableEmail({ email, emailUnverifiable: type === undefined || UNVERIFIABLE_EMAIL_TYPES.has(type) });
}
