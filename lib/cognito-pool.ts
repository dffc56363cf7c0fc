/**
 * Managed sign-in: the Amazon Cognito user pool a `cognito` provider with no client of its
 * own gets (docs/providers/cognito.md). Made in the stack of `EdgeOAuth`:
 *
 * - the user pool: no self sign-up (`AllowAdminCreateUserOnly`: operators invite people,
 *   `edge-oauth users invite`), email as the user name (`UsernameAttributes: email`), account
 *   recovery by email, TOTP MFA (`mfa`: optional by default), and passkeys
 *   (`AllowedFirstAuthFactors` PASSWORD + WEB_AUTHN, which needs the Essentials feature plan:
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-passkeys.html);
 *   tagged `edge-oauth:provider` so the CLI knows the pool is this stack's; the groups the
 *   config's rules name for the provider (`team:admins` → `admins`);
 * - its prefix domain (`<prefix>.auth.<region>.amazoncognito.com`) with managed login
 *   (version 2, the one that offers passkeys: "users can do passwordless and passkey
 *   authentication only in managed login",
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow-things-to-know.html)
 *   and Cognito's default style (`AWS::Cognito::ManagedLoginBranding`, UseCognitoProvidedValues),
 *   which managed login pages need to render;
 * - an app client with a secret, the authorization code grant only, scopes openid email
 *   profile, callback URL `<site>/auth/callback` and sign-out URL `<site>/auth/logout` (the
 *   signed-out page), ALLOW_USER_AUTH so managed login offers the choice of passkey
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flows-selection-managedlogin.html),
 *   the configured refresh token lifetime, token revocation, no user existence errors;
 * - the `CognitoClientSecret` custom resource (./cognito-client-secret/handler.ts), which
 *   copies the client's secret into the provider's secret at deploy time: the template only
 *   holds ids (test/cdk/cognito.test.ts proves no secret value is in it).
 */
import { Aws, CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Duration, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { EdgeConfig, ProviderConfig } from '../lambdas/core/config/types';
import { MANAGED_POOL_TAG, providerGroups } from '../lambdas/core/config/cognito';
import type { SecretHandle } from './edge-oauth-data';
import { bundleHandler, handlerEntry, withHandlerDirectory } from './handler-bundle';
import { LAMBDA_RUNTIME } from './runtime';
import { acknowledgeUserPoolFindings } from './nag';

export { MANAGED_POOL_TAG };

export interface EdgeOAuthCognitoPoolProps {
  /** A `cognito` provider whose `cognito.managed` is set. */
  readonly provider: ProviderConfig;
  /** Its secret (created by EdgeOAuthData, or referenced). */
  readonly secret: SecretHandle;
  /** The region of the secret (`config.aws.region`). */
  readonly secretRegion: string;
  /** The groups the config's rules name for this provider (`providerGroups`): created in the pool. @default [] */
  readonly groups?: readonly string[];
  /** @default RemovalPolicy.RETAIN - the people in the pool outlive a `cdk destroy` */
  readonly removalPolicy?: RemovalPolicy;
}

const MFA: Record<string, cognito.Mfa> = { off: cognito.Mfa.OFF, optional: cognito.Mfa.OPTIONAL, required: cognito.Mfa.REQUIRED };

/**
 * The default prefix: the stack's name and the provider id (lowercase letters, digits and
 * "-", without the words Cognito refuses) and the account id, so two accounts deploying the
 * same stack do not collide (prefix domains are unique per region across AWS).
 */
export function defaultDomainPrefix(stackName: string, providerId: string): string {
  const name = `${stackName}-${providerId}`.toLowerCase().replace(/aws|amazon|cognito/g, '').replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return Fn.join('-', [name.slice(0, 63 - 13) || 'edge-oauth', Aws.ACCOUNT_ID]);
}

export class EdgeOAuthCognitoPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  #client?: cognito.UserPoolClient;
  readonly #props: EdgeOAuthCognitoPoolProps;

  constructor(scope: Construct, id: string, props: EdgeOAuthCognitoPoolProps) {
    super(scope, id);
    const managed = props.provider.cognito?.managed;
    if (managed === undefined) throw new Error(`EdgeOAuthCognitoPool: provider "${props.provider.id}" brings its own user pool`);
    this.#props = props;
    const stack = Stack.of(this);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${stack.stackName}-${props.provider.id}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Cognito's default policy, written out (the local stand-in enforces the same: local/emulators/cognito/admin.ts).
      passwordPolicy: { minLength: 8, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(7) },
      mfa: MFA[managed.mfa]!,
      ...(managed.mfa !== 'off' && { mfaSecondFactor: { otp: true, sms: false } }),
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      signInPolicy: { allowedFirstAuthFactors: { password: true, passkey: managed.passkeys } },
      userInvitation: {
        emailSubject: `Your invitation to ${props.provider.displayName}`,
        emailBody: 'You have been invited to sign in. Your user name is {username} and your temporary password is {####}. You will choose a new password at your first sign-in.',
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
    });
    Tags.of(this.userPool).add(MANAGED_POOL_TAG, props.provider.id);
    acknowledgeUserPoolFindings(this.userPool, managed.mfa);
    for (const groupName of props.groups ?? []) {
      new cognito.UserPoolGroup(this, `Group-${groupName.replace(/\//g, '-')}`, { userPool: this.userPool, groupName, description: `edge-oauth: named in the config's rules as ${props.provider.id}:${groupName}` });
    }
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: managed.domainPrefix ?? defaultDomainPrefix(stack.stackName, props.provider.id) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
  }

  /** The app client, once `addSiteClient` made it. */
  get client(): cognito.UserPoolClient | undefined {
    return this.#client;
  }

  /** The code-flow app client for the site at `siteOrigin` (`https://host`), its style, and the secret's copy. Once. */
  addSiteClient(siteOrigin: string): cognito.UserPoolClient {
    if (this.#client !== undefined) throw new Error(`EdgeOAuthCognitoPool ${this.node.path}: the site's app client already exists`);
    const managed = this.#props.provider.cognito!.managed!;
    const client = this.userPool.addClient('Client', {
      generateSecret: true,
      authFlows: { user: managed.passkeys, userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${siteOrigin}/auth/callback`],
        logoutUrls: [`${siteOrigin}/auth/logout`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      refreshTokenValidity: Duration.seconds(managed.refreshTokenValidity),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    this.#client = client;
    new cognito.CfnManagedLoginBranding(this, 'Branding', { userPoolId: this.userPool.userPoolId, clientId: client.userPoolClientId, useCognitoProvidedValues: true });
    this.copySecret(client);
    return client;
  }

  private copySecret(client: cognito.UserPoolClient): void {
    const bundle = bundleHandler(handlerEntry(`${__dirname}/cognito-client-secret`));
    const provider = withHandlerDirectory(bundle, (codeDirectory) =>
      CustomResourceProvider.getOrCreateProvider(this, 'Custom::EdgeOAuthCognitoClientSecret', {
        codeDirectory,
        runtime: LAMBDA_RUNTIME.name as CustomResourceProviderRuntime,
        description: 'edge-oauth: copies a managed user pool client secret into its Secrets Manager secret (never returned, never logged)',
      }),
    );
    provider.addToRolePolicy({ Effect: 'Allow', Action: ['cognito-idp:DescribeUserPoolClient'], Resource: this.userPool.userPoolArn });
    provider.addToRolePolicy({ Effect: 'Allow', Action: ['secretsmanager:PutSecretValue'], Resource: this.#props.secret.resourceArns(this.#props.secretRegion) });
    const copy = new CustomResource(this, 'ClientSecretCopy', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EdgeOAuthCognitoClientSecret',
      properties: {
        UserPoolId: this.userPool.userPoolId,
        ClientId: client.userPoolClientId,
        SecretId: this.#props.secret.secret?.secretArn ?? this.#props.secret.secretId,
        SecretRegion: this.#props.secretRegion,
        CodeHash: bundle.hash,
      },
    });
    if (this.#props.secret.secret !== undefined) copy.node.addDependency(this.#props.secret.secret);
  }
}

/**
 * One EdgeOAuthCognitoPool per `cognito` provider with no client of its own (construct id
 * `Cognito<ProviderId>`); the viewer-request function may read their secrets (it starts
 * sign-ins with the pool's client id). With `config.site.domain`, the app clients are made
 * now; otherwise `addSiteClients` makes them for the distribution's domain name.
 */
export function managedCognitoPools(
  scope: Construct,
  props: { config: EdgeConfig; secrets: ReadonlyMap<string, SecretHandle>; removalPolicy?: RemovalPolicy },
): Map<string, EdgeOAuthCognitoPool> {
  const pools = new Map<string, EdgeOAuthCognitoPool>();
  for (const provider of props.config.providers) {
    if (provider.cognito?.managed === undefined) continue;
    const id = `Cognito${provider.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
    const pool = new EdgeOAuthCognitoPool(scope, id, {
      provider,
      secret: props.secrets.get(provider.id)!,
      secretRegion: props.config.aws.region,
      groups: providerGroups(props.config, provider.id),
      ...(props.removalPolicy !== undefined && { removalPolicy: props.removalPolicy }),
    });
    if (props.config.site.domain !== undefined) pool.addSiteClient(`https://${props.config.site.domain}`);
    pools.set(provider.id, pool);
  }
  return pools;
}

/** The app clients still missing, for the site at `siteOrigin`. */
export function addSiteClients(pools: ReadonlyMap<string, EdgeOAuthCognitoPool>, siteOrigin: string): void {
  for (const pool of pools.values()) if (pool.client === undefined) pool.addSiteClient(siteOrigin);
}
