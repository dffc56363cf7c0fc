/**
 * The configuration schema (zod): the sections (fields.ts, each field with its default)
 * and the cross-field rules (rules.ts). Used by the CLI (`edge-oauth config check`), the
 * CDK app and the local stack through `parseConfig` (parse.ts); never by the
 * viewer-request bundle, which receives the already resolved config.
 */
import { configFields, type ParsedConfig } from './fields';
import { checkConfig } from './rules';

export const configSchema = configFields.superRefine(checkConfig);

export type { ParsedConfig };
