/**
 * edge-oauth as a construct library: `import { EdgeOAuth, loadConfigFile } from 'edge-oauth'`.
 * README "Use it in your own CDK app"; the handlers are bundled by esbuild at your synth.
 */
export { EdgeOAuth, CALLBACK_PATH_PATTERN, AUTH_PATH_PATTERN } from './edge-oauth';
export type { EdgeOAuthProps } from './edge-oauth-props';
export { EdgeOAuthExistingDistribution, type EdgeOAuthExistingDistributionProps } from './existing-distribution';
export { EdgeOAuthStack, EdgeOAuthDataStack, parseSiteOrigin, type EdgeOAuthStackProps, type EdgeOAuthDataStackProps, type SiteOrigin } from './edge-oauth-stack';
export { EdgeOAuthExistingDistributionStack, type EdgeOAuthExistingDistributionStackProps } from './existing-distribution-stack';
export { EdgeOAuthData } from './edge-oauth-data';
export { loadConfigFile, ConfigError } from './config-file';
export { parseConfig, type ParseResult } from '../lambdas/core/config/parse';
export type { EdgeConfig } from '../lambdas/core/config/types';
export { attachConfig, detachConfig, type AttachTargets, type AttachOptions } from './attach/plan';
