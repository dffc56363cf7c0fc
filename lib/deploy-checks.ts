/** What `EdgeOAuth` refuses to synthesize: checks that throw early, with the offending value. */
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { edgeHeaderNameProblem } from '../lambdas/core/edge-limits';

/** Lambda@Edge functions must be created in us-east-1; CDK does not check it. */
export function checkEdgeRegion(stack: Stack): void {
  if (Token.isUnresolved(stack.region) || stack.region !== 'us-east-1') {
    throw new Error(
      `EdgeOAuth: the stack "${stack.stackName}" must be deployed to us-east-1 (Lambda@Edge functions are created there), ` +
        `but its region is ${Token.isUnresolved(stack.region) ? 'not set' : `"${stack.region}"`}. Give it env: { region: 'us-east-1' }.`,
    );
  }
}

/**
 * The distribution must be in a us-east-1 stack too: `addAuthBehaviors` adds the callback's
 * function URL origin, and with it the Lambda permissions for CloudFront (origin access
 * control), to the distribution's stack. In another region (or a stack without a region)
 * those permissions would name a function that is not there, and the deploy fails.
 */
export function checkDistributionRegion(auth: IConstruct, distribution: IConstruct): void {
  const ours = Stack.of(auth);
  const theirs = Stack.of(distribution);
  if (theirs === ours) return;
  const region = theirs.region;
  if (Token.isUnresolved(region) || region !== 'us-east-1') {
    throw new Error(
      `EdgeOAuth ${auth.node.path}: the distribution ${distribution.node.path} is in stack "${theirs.stackName}", whose region is ` +
        `${Token.isUnresolved(region) ? 'not set' : `"${region}"`}. addAuthBehaviors puts the callback's function URL origin and its ` +
        'invoke permissions (origin access control) into that stack, and they can only be created next to the function, in us-east-1. ' +
        "Create the distribution in a stack with env: { region: 'us-east-1' } (CloudFront is global: the region of its stack does not " +
        'change where it serves), or in the same stack as EdgeOAuth.',
    );
  }
}

/** Settings the local stack allows and a deployment must not. Throws with the offending value. */
export function validateForDeployment(config: EdgeConfig): void {
  // A config built in code (not through parseConfig) meets the same header lists (edge-limits.ts).
  for (const [field, name] of edgeHeaderFields(config)) {
    const problem = edgeHeaderNameProblem(name);
    if (problem !== undefined) throw new Error(`EdgeOAuth: ${field}: ${problem}`);
  }
  for (const provider of config.providers) {
    if (provider.allowInsecureRequests) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": allowInsecureRequests is for local development only; remove it to deploy`);
    }
    if (provider.cognito?.idpEndpoint !== undefined) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": cognito.idpEndpoint is the local Cognito stand-in's (local/stack/cognito.ts); remove it to deploy`);
    }
    if (provider.issuer !== undefined && !provider.issuer.startsWith('https://')) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": issuer "${provider.issuer}" must be https:// to deploy`);
    }
  }
}

/** Every header name the viewer-request function sets, with its config field. */
function edgeHeaderFields(config: EdgeConfig): Array<[string, string]> {
  const out: Array<[string, string]> = Object.entries(config.headers).map(([key, name]) => [`headers.${key}`, name]);
  if (config.headers.userGroups !== undefined) out.push(['headers.userGroups (its -truncated companion)', `${config.headers.userGroups}-truncated`]);
  out.push(['assertion.header', config.assertion.header]);
  out.push(['originTokens.accessTokenHeader', config.originTokens.accessTokenHeader], ['originTokens.refreshTokenHeader', config.originTokens.refreshTokenHeader]);
  return out;
}
