/**
 * The CognitoClientSecret custom resource's handler (runs at deploy time): copies the app
 * client's secret of a user pool the stack created into its Secrets Manager secret, as JSON
 * `{"userPoolId", "clientId", "clientSecret"}` (lambdas/core/config/cognito-fields.ts), where
 * the callback (and the viewer, for the two ids) read it.
 *
 * Why a handler of our own and not `AwsCustomResource`: the secret would have to travel from
 * one SDK call's answer (DescribeUserPoolClient) to another's parameters (PutSecretValue)
 * through the resource's response data, which CloudFormation keeps and shows as the
 * resource's attributes, and AwsCustomResource logs responses unless told not to. Here it
 * stays inside this function: it is read (cognito-idp:DescribeUserPoolClient, whose answer
 * carries ClientSecret: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPoolClient.html)
 * and written (secretsmanager:PutSecretValue), never returned (no `Data`) and never logged.
 * CDK's entry point (`CustomResourceProvider`) logs the event, which holds ids only.
 *
 * On Create and Update (a new client id, or a new code hash) the value is written again; on
 * Delete nothing is done (the secret follows its own removal policy).
 */
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface ClientSecretEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly UserPoolId: string; readonly ClientId: string; readonly SecretId: string; readonly SecretRegion: string };
}

export interface ClientSecretDeps {
  describeClient(userPoolId: string, clientId: string): Promise<string | undefined>;
  putSecret(secretId: string, region: string, value: string): Promise<void>;
}

const awsDeps: ClientSecretDeps = {
  async describeClient(userPoolId, clientId) {
    const out = await new CognitoIdentityProviderClient({}).send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
    return out.UserPoolClient?.ClientSecret;
  },
  async putSecret(secretId, region, value) {
    await new SecretsManagerClient({ region }).send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  },
};

export async function handleClientSecret(event: ClientSecretEvent, deps: ClientSecretDeps): Promise<{ PhysicalResourceId: string }> {
  const { UserPoolId, ClientId, SecretId, SecretRegion } = event.ResourceProperties;
  const id = `${UserPoolId}/${ClientId}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? id };
  const clientSecret = await deps.describeClient(UserPoolId, ClientId);
  // The message names the client, never a value.
  if (clientSecret === undefined) throw new Error(`app client ${ClientId} of ${UserPoolId} has no client secret`);
  await deps.putSecret(SecretId, SecretRegion, JSON.stringify({ userPoolId: UserPoolId, clientId: ClientId, clientSecret }));
  return { PhysicalResourceId: id };
}

export const handler = (event: ClientSecretEvent) => handleClientSecret(event, awsDeps);
