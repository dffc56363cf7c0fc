/**
 * edge-oauth's state: the DynamoDB tables (from lambdas/store/dynamodb/tables.ts) and the Secrets
 * Manager secrets (provider client secrets, the session key set), either created here or
 * referenced by the names in the config.
 *
 * They live in `config.aws.region`. `EdgeOAuth` creates them itself when that is its own
 * stack's region (us-east-1); otherwise deploy an `EdgeOAuthData` in a stack in that
 * region (the ready app does: `EdgeOAuthDataStack`) and `EdgeOAuth` references them by name.
 */
import { Arn, ArnFormat, Aws, CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { TABLES, type KeyDef, type TableDef } from '../lambdas/store/dynamodb/tables';
import { keySetGeneratorBundle, withKeySetGeneratorDirectory } from './key-set-generator/code';
import { acknowledgeClientSecretFindings, acknowledgeKeySetFindings } from './nag';
import { LAMBDA_RUNTIME } from './runtime';
import { asCdkInterface } from './cdk-types';
import { globalTable, rejectSecretReplicaRegions } from './global-tables';

export type TableRole = TableDef['role'];

export interface EdgeOAuthDataProps {
  /** The resolved edge-oauth configuration (names of the tables and secrets, region). */
  readonly config: EdgeConfig;
  /**
   * Create the three tables under the names in `config.aws.tables`. When false, they are
   * referenced by name in `config.aws.region` and must exist before the functions run.
   * @default true
   */
  readonly createTables?: boolean;
  /**
   * Create the secrets named in the config (each provider's `clientSecret.secretId` and
   * `aws.sessionKeysSecretId`). When false, they are referenced by name and must exist.
   * A secret id given as an ARN is always referenced, never created.
   * @default true
   */
  readonly createSecrets?: boolean;
  /**
   * What happens to the tables and secrets when they leave the stack (or the stack is deleted).
   * @default RemovalPolicy.RETAIN - users, sessions and keys outlive a `cdk destroy`
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection on the tables.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** A secret edge-oauth reads: created here, or referenced by name or ARN. */
export interface SecretHandle {
  /** The id the functions use (`GetSecretValue` SecretId): a name or an ARN, as in the config. */
  readonly secretId: string;
  /** The secret, when this construct created it. */
  readonly secret?: secretsmanager.Secret;
  /** Exact resource ARNs for `secretsmanager:GetSecretValue` in the given region. */
  resourceArns(region: string): string[];
}

/**
 * How every client secret is created: a random placeholder the operator replaces (docs/deploy.md
 * step 5). One constant, on purpose: CloudFormation generates a new value whenever
 * `GenerateSecretString` changes, which would overwrite the client secret the operator put in.
 * So nothing in it may depend on the config (which providers use the secret, in which order,
 * whole or by jsonKey): the operator's value survives every later deploy. The template never
 * holds a value, and a forgotten secret fails the sign-in (invalid_client, or "not JSON" for a
 * jsonKey) instead of passing an empty string.
 */
export const CLIENT_SECRET_PLACEHOLDER: secretsmanager.SecretStringGenerator = { passwordLength: 32, excludePunctuation: true };
const CLIENT_SECRET_DESCRIPTION =
  'edge-oauth: OAuth client secret. Set its value after the first deploy (docs/deploy.md); the generated value is a placeholder.';

const ATTRIBUTE_TYPE: Record<KeyDef['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
};

const key = (def: KeyDef): dynamodb.Attribute => ({ name: def.name, type: ATTRIBUTE_TYPE[def.type] });

const pascal = (s: string) => s.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase());

export class EdgeOAuthData extends Construct {
  readonly sessionsTable: dynamodb.ITable;
  readonly usersTable: dynamodb.ITable;
  readonly mauTable: dynamodb.ITable;
  /** The session key set secret (JSON, see lambdas/core/keys/key-set.ts). */
  readonly sessionKeySet: SecretHandle;
  /** Each provider's client secret, by provider id. Providers may share one secret. */
  readonly clientSecrets: ReadonlyMap<string, SecretHandle>;
  /** Regions where the session key set can be read: `config.aws.region` first, then the replicas. */
  readonly sessionKeySetRegions: readonly string[];
  /** Regions holding the tables: `config.aws.region` first, then `config.aws.replicaRegions` (global tables). */
  readonly tableRegions: readonly string[];
  readonly #tableNames: EdgeConfig['aws']['tables'];

  constructor(scope: Construct, id: string, props: EdgeOAuthDataProps) {
    super(scope, id);
    const { config } = props;
    const createTables = props.createTables ?? true;
    const createSecrets = props.createSecrets ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    rejectSecretReplicaRegions(props, 'EdgeOAuthData');
    // The config's aws.replicaRegions (validated by the config schema): global tables and key set replicas.
    const replicaRegions = [...config.aws.replicaRegions];

    const stackRegion = Stack.of(this).region;
    if ((createTables || createSecrets) && stackRegion !== config.aws.region) {
      throw new Error(
        `EdgeOAuthData: the tables and secrets belong in config.aws.region "${config.aws.region}", but this stack's region is ` +
          `"${Token.isUnresolved(stackRegion) ? '(not set)' : stackRegion}". Deploy them with a stack in that region, ` +
          'or set createTables/createSecrets to false to reference existing ones.',
      );
    }
    this.sessionKeySetRegions = [config.aws.region, ...replicaRegions];
    this.tableRegions = this.sessionKeySetRegions;
    this.#tableNames = config.aws.tables;

    const tables = this.tables(props, createTables, replicaRegions, removalPolicy);
    this.sessionsTable = tables.get('sessions')!;
    this.usersTable = tables.get('users')!;
    this.mauTable = tables.get('mau')!;

    this.clientSecrets = this.clientSecretHandles(config, createSecrets, removalPolicy);

    this.sessionKeySet = this.secretHandle('SessionKeySet', config.aws.sessionKeysSecretId, createSecrets, removalPolicy, replicaRegions, {
      description: 'edge-oauth: session key set (cookie sealing keys). Written by the KeySetGenerator custom resource; rotate with the CLI.',
      // Placeholder until the generator writes the key set (it replaces anything that is not one).
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ pending: 'the key-set generator replaces this value during the deploy' }),
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
    });
    const keySetSecret = this.sessionKeySet.secret;
    if (keySetSecret !== undefined) this.keySetGenerator(keySetSecret);
  }

  /** The three tables: referenced (createTables: false), global tables (replicaRegions), or one region's. */
  private tables(props: EdgeOAuthDataProps, createTables: boolean, replicaRegions: string[], removalPolicy: RemovalPolicy): Map<TableRole, dynamodb.ITable> {
    const tables = new Map<TableRole, dynamodb.ITable>();
    for (const def of TABLES) {
      const tableName = props.config.aws.tables[def.role];
      const constructId = `${pascal(def.role)}Table`;
      if (!createTables) {
        tables.set(def.role, dynamodb.Table.fromTableArn(this, constructId, this.arn(props.config.aws.region, 'dynamodb', `table/${tableName}`)));
        continue;
      }
      if (replicaRegions.length > 0) {
        tables.set(def.role, globalTable(this, `${pascal(def.role)}GlobalTable`, tableName, def, replicaRegions, props.deletionProtection ?? true, removalPolicy));
        continue;
      }
      tables.set(def.role, this.table(constructId, tableName, def, props.deletionProtection ?? true, removalPolicy));
    }
    return tables;
  }

  /** One region's table, with its indexes as the table design says (lambdas/store/dynamodb/tables.ts). */
  private table(constructId: string, tableName: string, def: (typeof TABLES)[number], deletionProtection: boolean, removalPolicy: RemovalPolicy): dynamodb.ITable {
    const table = new dynamodb.Table(this, constructId, {
      tableName,
      partitionKey: key(def.partitionKey),
      ...(def.sortKey && { sortKey: key(def.sortKey) }),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...(def.timeToLiveAttribute !== undefined && { timeToLiveAttribute: def.timeToLiveAttribute }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection,
      removalPolicy,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: key(gsi.partitionKey),
        ...(gsi.sortKey && { sortKey: key(gsi.sortKey) }),
        // Only what the index's readers read (tables.ts): a write rewrites the entry whenever a projected attribute changes.
        ...(gsi.projection.type === 'INCLUDE'
          ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...gsi.projection.nonKeyAttributes] }
          : { projectionType: gsi.projection.type === 'ALL' ? dynamodb.ProjectionType.ALL : dynamodb.ProjectionType.KEYS_ONLY }),
      });
    }
    return asCdkInterface<dynamodb.ITable>(table);
  }

  /** Client secrets: one per distinct secret id (several providers may share a JSON secret), by provider id. */
  private clientSecretHandles(config: EdgeConfig, createSecrets: boolean, removalPolicy: RemovalPolicy): ReadonlyMap<string, SecretHandle> {
    const jsonKeysById = new Map<string, Set<string | undefined>>();
    for (const provider of config.providers) {
      const keys = jsonKeysById.get(provider.clientSecret.secretId) ?? new Set<string | undefined>();
      keys.add(provider.clientSecret.jsonKey);
      jsonKeysById.set(provider.clientSecret.secretId, keys);
    }
    if (jsonKeysById.has(config.aws.sessionKeysSecretId)) {
      throw new Error(`EdgeOAuthData: secret "${config.aws.sessionKeysSecretId}" is both a client secret and the session key set`);
    }
    const handles = new Map<string, SecretHandle>();
    // Sorted: the secrets' place in the template does not follow the order of the providers either.
    for (const [secretId, jsonKeys] of [...jsonKeysById].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (jsonKeys.has(undefined) && jsonKeys.size > 1) {
        throw new Error(`EdgeOAuthData: secret "${secretId}" is used both whole and by jsonKey; use one form`);
      }
      handles.set(
        secretId,
        this.secretHandle(`ClientSecret${pascal(secretId)}`, secretId, createSecrets, removalPolicy, [], {
          description: CLIENT_SECRET_DESCRIPTION,
          generateSecretString: CLIENT_SECRET_PLACEHOLDER,
        }),
      );
    }
    for (const handle of handles.values()) if (handle.secret) acknowledgeClientSecretFindings(handle.secret);
    return new Map(config.providers.map((p) => [p.id, handles.get(p.clientSecret.secretId)!]));
  }

  /** lib/key-set-generator/handler.ts, bundled now with the key-set code of lambdas/core: writes the key set into a secret that lacks one. */
  private keySetGenerator(keySetSecret: secretsmanager.Secret): void {
    acknowledgeKeySetFindings(keySetSecret);
    const provider = withKeySetGeneratorDirectory((codeDirectory) =>
      CustomResourceProvider.getOrCreateProvider(this, 'Custom::EdgeOAuthKeySet', {
        codeDirectory,
        runtime: LAMBDA_RUNTIME.name as CustomResourceProviderRuntime,
        description: 'edge-oauth: writes a session key set (sealing and signing keys) into a secret that lacks one; never overwrites keys',
      }),
    );
    provider.addToRolePolicy({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      Resource: keySetSecret.secretArn,
    });
    const generator = new CustomResource(this, 'KeySetGenerator', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EdgeOAuthKeySet',
      // CodeHash: CloudFormation sends an Update only when a property changes, so a new
      // handler (e.g. one that adds signing keys to an older key set) runs on the deploy
      // that brings it; the handler is idempotent.
      properties: { SecretId: keySetSecret.secretArn, CodeHash: keySetGeneratorBundle().hash },
    });
    generator.node.addDependency(keySetSecret);
  }

  /** The ARNs of a table's replicas (`config.aws.replicaRegions`, global tables); none in one region. */
  replicaTableArns(role: TableRole): string[] {
    const name = this.#tableNames[role];
    return this.tableRegions.slice(1).map((region) => Stack.of(this).formatArn({ service: 'dynamodb', region, resource: 'table', resourceName: name }));
  }

  /** The session key set's ARNs in every region it can be read in (primary and replicas). */
  sessionKeySetArns(): string[] {
    return this.sessionKeySetRegions.flatMap((region) => this.sessionKeySet.resourceArns(region));
  }

  private arn(region: string, service: string, resource: string): string {
    return Arn.format({ partition: Aws.PARTITION, service, region, account: Aws.ACCOUNT_ID, resource, arnFormat: ArnFormat.NO_RESOURCE_NAME }, Stack.of(this));
  }

  private secretHandle(
    constructId: string,
    secretId: string,
    create: boolean,
    removalPolicy: RemovalPolicy,
    replicaRegions: readonly string[],
    props: Pick<secretsmanager.SecretProps, 'description' | 'generateSecretString'>,
  ): SecretHandle {
    if (secretId.startsWith('arn:')) {
      // An ARN: complete (with the 6-character suffix) or partial; grant both spellings.
      const region = Arn.split(secretId, ArnFormat.COLON_RESOURCE_NAME).region;
      const inRegion = (r: string) => secretId.replace(`:${region}:`, `:${r}:`);
      return { secretId, resourceArns: (r) => [inRegion(r), `${inRegion(r)}-??????`] };
    }
    if (!create) {
      return { secretId, resourceArns: (r) => [this.arn(r, 'secretsmanager', `secret:${secretId}-??????`)] };
    }
    const secret = new secretsmanager.Secret(this, constructId, {
      secretName: secretId,
      ...props,
      ...(replicaRegions.length > 0 && { replicaRegions: replicaRegions.map((region) => ({ region })) }),
      removalPolicy,
    });
    // The secret's ARN is `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>`;
    // a replica has the same ARN in its own region.
    const nameWithSuffix = Fn.select(6, Fn.split(':', secret.secretArn));
    return {
      secretId,
      secret,
      resourceArns: (r) => (r === Stack.of(this).region ? [secret.secretArn] : [this.arn(r, 'secretsmanager', Fn.join('', ['secret:', nameWithSuffix]))]),
    };
  }
}
