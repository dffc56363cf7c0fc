/**
 * `aws.replicaRegions`: the tables as DynamoDB global tables (`AWS::DynamoDB::GlobalTable`
 * through CDK's TableV2, multi-Region eventual consistency), a replica in the primary
 * region (`config.aws.region`, the stack's) and in each listed region. What edge-oauth does
 * about last writer wins and single-region conditions: lambdas/store/global/regional.ts and
 * docs/multi-region.md.
 *
 * TableV2 gives every replica the table's settings (on-demand billing, TTL, point-in-time
 * recovery, deletion protection, the GSIs) and adds the NEW_AND_OLD_IMAGES stream that
 * replication needs. https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_dynamodb.TableV2.html
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { KeyDef, TableDef } from '../lambdas/store/dynamodb/tables';
import { asCdkInterface } from './cdk-types';

const ATTRIBUTE_TYPE: Record<KeyDef['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
};

const key = (def: KeyDef): dynamodb.Attribute => ({ name: def.name, type: ATTRIBUTE_TYPE[def.type] });

export function globalTable(
  scope: Construct,
  id: string,
  tableName: string,
  def: TableDef,
  replicaRegions: readonly string[],
  deletionProtection: boolean,
  removalPolicy: RemovalPolicy,
): dynamodb.ITable {
  const table = new dynamodb.TableV2(scope, id, {
    tableName,
    partitionKey: key(def.partitionKey),
    ...(def.sortKey && { sortKey: key(def.sortKey) }),
    billing: dynamodb.Billing.onDemand(),
    ...(def.timeToLiveAttribute !== undefined && { timeToLiveAttribute: def.timeToLiveAttribute }),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection,
    removalPolicy,
    replicas: replicaRegions.map((region) => ({ region })),
    globalSecondaryIndexes: def.globalSecondaryIndexes.map((gsi) => ({
      indexName: gsi.indexName,
      partitionKey: key(gsi.partitionKey),
      ...(gsi.sortKey && { sortKey: key(gsi.sortKey) }),
      projectionType: dynamodb.ProjectionType.ALL,
    })),
  });
  return asCdkInterface<dynamodb.ITable>(table);
}

/**
 * `secretReplicaRegions` (a construct prop and a `-c` context key before) is now the
 * config's `aws.replicaRegions`, which replicates the tables too. A JavaScript caller still
 * passing it gets told instead of silently losing its replicas.
 */
export function rejectSecretReplicaRegions(props: object, where: string): void {
  if ((props as { secretReplicaRegions?: unknown }).secretReplicaRegions !== undefined) throw new Error(SECRET_REPLICA_REGIONS_MOVED(where));
}

export const SECRET_REPLICA_REGIONS_MOVED = (where: string) =>
  `${where}: secretReplicaRegions is now the config's aws.replicaRegions (one setting: it replicates the session key set ` +
  'and makes the tables DynamoDB global tables in those regions; see docs/multi-region.md). Move the regions there.';
