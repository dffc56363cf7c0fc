/**
 * The local Cognito stand-in's user pools and the admin calls `edge-oauth users` makes, in
 * the AWS JSON 1.1 protocol (POST /, `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`,
 * `application/x-amz-json-1.1`), so the real @aws-sdk/client-cognito-identity-provider talks
 * to it. Requests, answers and errors follow the API reference:
 * - AdminCreateUser https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
 *   (a pool whose UsernameAttributes include `email` takes an email as Username and names the
 *   user by a generated `sub`; UsernameExistsException when the address is taken; the new
 *   user is FORCE_CHANGE_PASSWORD and gets a temporary password by email)
 * - AdminAddUserToGroup, AdminDisableUser, AdminDeleteUser, AdminGetUser, DescribeUserPool
 *   (same reference): UserNotFoundException "User does not exist.", ResourceNotFoundException
 *   for an unknown pool or group, InvalidParameterException for a malformed field.
 * Signatures are not verified, but a request without `Authorization` is refused as AWS does.
 * The "email" Cognito would send is kept in an outbox (`invitations`): the local stack has no
 * mail; nothing here logs a password.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export class CognitoApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface PoolUser {
  readonly sub: string;
  readonly email: string;
  emailVerified: boolean;
  password: string;
  status: 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';
  enabled: boolean;
  readonly groups: Set<string>;
  readonly created: number;
}

export interface PoolClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly userPoolId: string;
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  readonly scopes: readonly string[];
  /** Seconds. */
  readonly refreshTokenValidity: number;
}

export interface Pool {
  readonly id: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** By lowercase email. */
  readonly users: Map<string, PoolUser>;
  readonly groups: Set<string>;
}

export interface Invitation {
  readonly userPoolId: string;
  readonly email: string;
  readonly temporaryPassword: string;
}

const USER_NOT_FOUND = () => new CognitoApiError('UserNotFoundException', 'User does not exist.');

/** Cognito's default password policy: 8+ characters with a lowercase, an uppercase, a digit and a symbol. */
export function meetsPasswordPolicy(password: string): boolean {
  return password.length >= 8 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password) && /[^A-Za-z0-9]/.test(password);
}

export class CognitoPools {
  readonly pools = new Map<string, Pool>();
  readonly clients = new Map<string, PoolClient>();
  readonly invitations: Invitation[] = [];
  /** Called with each invitation Cognito would email (`npm start` prints it: the local stack has no mail). */
  onInvitation?: (invitation: Invitation) => void;

  constructor(readonly region: string) {}

  createPool(name: string, tags: Record<string, string> = {}, groups: readonly string[] = []): Pool {
    const id = `${this.region}_${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}`;
    const pool: Pool = { id, name, tags, users: new Map(), groups: new Set(groups) };
    this.pools.set(id, pool);
    return pool;
  }

  createClient(userPoolId: string, client: Omit<PoolClient, 'clientId' | 'clientSecret' | 'userPoolId'>, withSecret = true): PoolClient {
    this.pool(userPoolId);
    // Generated ids are 26 lowercase letters and digits; secrets follow `[\w+]+` (API_UserPoolClientType).
    const created: PoolClient = {
      ...client,
      userPoolId,
      clientId: randomBytes(20).toString('hex').slice(0, 26),
      ...(withSecret && { clientSecret: `${randomBytes(24).toString('hex')}_${randomBytes(8).toString('hex')}` }),
    };
    this.clients.set(created.clientId, created);
    return created;
  }

  pool(id: unknown): Pool {
    if (typeof id !== 'string' || !/^[\w-]+_[0-9a-zA-Z]+$/.test(id)) {
      throw new CognitoApiError('InvalidParameterException', `1 validation error detected: Value '${String(id)}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+`);
    }
    const pool = this.pools.get(id);
    if (pool === undefined) throw new CognitoApiError('ResourceNotFoundException', `User pool ${id} does not exist.`);
    return pool;
  }

  /** A user by the name the API takes: the email (an alias of an email-named pool) or the sub. */
  user(pool: Pool, username: unknown): PoolUser {
    if (typeof username !== 'string' || username === '') throw new CognitoApiError('InvalidParameterException', 'Username is required.');
    const user = pool.users.get(username.toLowerCase()) ?? [...pool.users.values()].find((u) => u.sub === username);
    if (user === undefined) throw USER_NOT_FOUND();
    return user;
  }

  /** The operations the CLI calls, by name (`X-Amz-Target` without the service prefix). */
  operations(): Record<string, (input: Record<string, unknown>) => object> {
    return {
      DescribeUserPool: (input) => {
        const pool = this.pool(input.UserPoolId);
        return { UserPool: { Id: pool.id, Name: pool.name, UserPoolTags: pool.tags, UsernameAttributes: ['email'], EstimatedNumberOfUsers: pool.users.size } };
      },
      AdminCreateUser: (input) => this.adminCreateUser(input),
      AdminGetUser: (input) => {
        const user = this.user(this.pool(input.UserPoolId), input.Username);
        return { Username: user.sub, UserAttributes: attributes(user), Enabled: user.enabled, UserStatus: user.status, UserCreateDate: user.created };
      },
      AdminAddUserToGroup: (input) => {
        const pool = this.pool(input.UserPoolId);
        const user = this.user(pool, input.Username);
        if (typeof input.GroupName !== 'string' || !pool.groups.has(input.GroupName)) throw new CognitoApiError('ResourceNotFoundException', 'Group not found.');
        user.groups.add(input.GroupName);
        return {};
      },
      AdminDisableUser: (input) => {
        this.user(this.pool(input.UserPoolId), input.Username).enabled = false;
        return {};
      },
      AdminDeleteUser: (input) => {
        const pool = this.pool(input.UserPoolId);
        pool.users.delete(this.user(pool, input.Username).email.toLowerCase());
        return {};
      },
      // Not an admin call, but what a missing group means for AdminAddUserToGroup: CreateGroup is how an operator makes one.
      CreateGroup: (input) => {
        const pool = this.pool(input.UserPoolId);
        if (typeof input.GroupName !== 'string' || input.GroupName === '') throw new CognitoApiError('InvalidParameterException', 'GroupName is required.');
        if (pool.groups.has(input.GroupName)) throw new CognitoApiError('GroupExistsException', 'A group with the name already exists.');
        pool.groups.add(input.GroupName);
        return { Group: { GroupName: input.GroupName, UserPoolId: pool.id } };
      },
    };
  }

  private adminCreateUser(input: Record<string, unknown>): object {
    const pool = this.pool(input.UserPoolId);
    const email = input.Username;
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) {
      // An email-named pool: "Username should be an email." (UsernameAttributes: email)
      throw new CognitoApiError('InvalidParameterException', 'Username should be an email.');
    }
    if (pool.users.has(email.toLowerCase())) throw new CognitoApiError('UsernameExistsException', 'An account with the given email already exists.');
    if (input.MessageAction !== undefined && input.MessageAction !== 'SUPPRESS' && input.MessageAction !== 'RESEND') {
      throw new CognitoApiError('InvalidParameterException', "1 validation error detected: Value at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]");
    }
    const given = new Map(((input.UserAttributes as Array<{ Name: string; Value: string }> | undefined) ?? []).map((a) => [a.Name, a.Value]));
    const temporaryPassword = `Tmp-${randomBytes(6).toString('base64url')}a1A!`;
    const user: PoolUser = {
      sub: randomUUID(),
      email,
      emailVerified: given.get('email_verified') === 'true',
      password: temporaryPassword,
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      groups: new Set(),
      created: Date.now() / 1000,
    };
    pool.users.set(email.toLowerCase(), user);
    if (input.MessageAction !== 'SUPPRESS') {
      const invitation = { userPoolId: pool.id, email, temporaryPassword };
      this.invitations.push(invitation);
      this.onInvitation?.(invitation);
    }
    return { User: { Username: user.sub, Attributes: attributes(user), Enabled: true, UserStatus: user.status, UserCreateDate: user.created, UserLastModifiedDate: user.created } };
  }
}

function attributes(user: PoolUser): Array<{ Name: string; Value: string }> {
  return [
    { Name: 'sub', Value: user.sub },
    { Name: 'email', Value: user.email },
    { Name: 'email_verified', Value: String(user.emailVerified) },
  ];
}
