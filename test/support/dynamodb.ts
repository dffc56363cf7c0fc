/** The DynamoDB Local endpoint that test/support/global-setup.ts started for this run. */
export function testDynamoEndpoint(): string {
  const endpoint = process.env.EDGE_OAUTH_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error(
      'EDGE_OAUTH_TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (globalSetup starts DynamoDB Local).',
    );
  }
  return endpoint;
}
