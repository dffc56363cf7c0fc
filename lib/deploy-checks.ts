/** What `EdgeOAuth` refuses to synthesize: checks that throw early, with the offending value. */
import { Token, type Stack } from 'aws-cdk-lib';
import type { EdgeConfig } from '../lambdas/core/config/types';

/** Lambda@Edge functions must be created in us-east-1; CDK does not check it. */
export function checkEdgeRegion(stack: Stack): void {
  if (Token.isUnresolved(stack.region) || stack.region !== 'us-east-1') {
    throw new Error(
      `EdgeOAuth: the stack "${stack.stackName}" must be deployed to us-east-1 (Lambda@Edge functions are created there), ` +
        `but its region is ${Token.isUnresolved(stack.region) ? 'not set' : `"${stack.region}"`}. Give it env: { region: 'us-east-1' }.`,
    );
  }
}

/** Settings the local stack allows and a deployment must not. Throws with the offending value. */
export function validateForDeployment(config: EdgeConfig): void {
  for (const provider of config.providers) {
    if (provider.allowInsecureRequests) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": allowInsecureRequests is for local development only; remove it to deploy`);
    }
    if (provider.issuer !== undefined && !provider.issuer.startsWith('https://')) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": issuer "${provider.issuer}" must be https:// to deploy`);
    }
  }
}
