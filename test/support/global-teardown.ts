/** jest globalTeardown: stops the DynamoDB Local that global-setup.ts started (if it did). */
import './global-setup';

export default async function globalTeardown(): Promise<void> {
  const dynamo = globalThis.__edgeOauthDynamoDb;
  globalThis.__edgeOauthDynamoDb = undefined;
  await dynamo?.close();
}
