/**
 * The fields of a `cognito` provider (docs/providers/cognito.md), spread into the provider
 * schema (fields.ts); which of them apply when is checked in provider-requirements.ts.
 *
 * - `userPoolId`: Cognito's pattern for a user pool id, `[\w-]+_[0-9a-zA-Z]+`
 *   (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html#API_DescribeUserPool_RequestSyntax);
 *   the part before `_` is the pool's region (the issuer is https://cognito-idp.<region>.amazonaws.com/<pool id>).
 * - `domainPrefix`: "Domain names can only contain lower-case letters, numbers, and hyphens.
 *   Don't use a hyphen for the first or last character" (1-63 characters, and the words
 *   aws, amazon and cognito are refused:
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
 * - `refreshTokenValidity`: 60 minutes to 10 years, 30 days by default
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html,
 *   RefreshTokenValidity in API_CreateUserPoolClient).
 */
import { z } from 'zod';
import { parseDuration } from './duration';


export const COGNITO_USER_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
export const COGNITO_DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_PREFIX_WORDS = /aws|amazon|cognito/;

export const REFRESH_TOKEN_VALIDITY_BOUNDS = { min: 3600, max: 10 * 365 * 86400 } as const;

export const cognitoFields = {
  userPoolId: z.string().regex(COGNITO_USER_POOL_ID, 'must be a Cognito user pool id such as "us-east-1_AbCdEf123"').optional(),
  domainPrefix: z
    .string()
    .regex(COGNITO_DOMAIN_PREFIX, 'must be 1-63 lowercase letters, digits or "-", not starting or ending with "-" (Cognito\'s rule for a prefix domain)')
    .refine((v) => !RESERVED_PREFIX_WORDS.test(v), { message: 'must not contain "aws", "amazon" or "cognito" (Cognito refuses them in a prefix domain)' })
    .optional(),
  mfa: z.enum(['off', 'optional', 'required'], { error: 'must be "off", "optional" (each user may add an authenticator app) or "required"' }).optional(),
  passkeys: z.boolean().optional(),
  refreshTokenValidity: z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const seconds = parseDuration(value);
      if (seconds === undefined || seconds < REFRESH_TOKEN_VALIDITY_BOUNDS.min || seconds > REFRESH_TOKEN_VALIDITY_BOUNDS.max) {
        ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a refresh token lifetime Cognito accepts: a duration from "1h" to "3650d"` });
        return z.NEVER;
      }
      return seconds;
    }),
  endProviderSession: z.boolean().optional(),
};

/** The fields above that only a pool the stack creates takes. */
export const MANAGED_ONLY_FIELDS = ['domainPrefix', 'mfa', 'passkeys', 'refreshTokenValidity'] as const;
