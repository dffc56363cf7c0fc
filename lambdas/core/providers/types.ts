/**
 * The provider interface: what differs between identity providers, and nothing else.
 * (Like oauth2-proxy's narrow provider interface: login URL, redeem, profile, refresh.)
 * Adapters do I/O only through the `fetch` they are given, so tests point them at
 * local servers.
 */
import type { ProviderConfig, ProviderType } from '../config/types';

export interface ProviderDeps {
  /** Fetch API used for every back-channel request. */
  readonly fetch: typeof globalThis.fetch;
  /** The OAuth client secret; read from Secrets Manager by the caller and cached. Not needed to start a sign-in. */
  readonly clientSecret: () => Promise<string>;
  /** Seconds since the epoch. */
  readonly now: () => number;
  /**
   * A client registered at deploy time (a managed Cognito pool): its pool and client ids, read
   * from the secret the deploy wrote (config `cognito.managed`). @default - the config's client
   */
  readonly registeredClient?: () => Promise<{ readonly userPoolId: string; readonly clientId: string }>;
  /**
   * Something the operator should know about a provider's answer that is not an error (a
   * stable code and a short detail, no token): logged. @default - not reported
   */
  readonly onNotice?: ((code: string, detail: string) => void) | undefined;
}

export interface AuthorizationRequest {
  readonly redirectUri: string;
  readonly state: string;
  readonly nonce: string;
  /** base64url(SHA-256(code_verifier)), method S256. */
  readonly codeChallenge: string;
  /** Ask the provider to authenticate the user again (OIDC: `prompt=login`, `max_age=0`). */
  readonly reauthenticate: boolean;
  /**
   * Ask for the consent screen again, for this account (`login_hint`): a provider that
   * returns a refresh token only with consent (Google), when none is kept for the user.
   */
  readonly consent?: { readonly loginHint: string } | undefined;
}

export interface CallbackInput {
  /** The callback URL as the browser requested it (carries `code`, `state`, and maybe `iss`). */
  readonly callbackUrl: URL;
  readonly redirectUri: string;
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
  /** When re-authentication was asked: the sign-in must have happened at or after this time (epoch s). */
  readonly authenticatedAfter?: number;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Epoch seconds. */
  readonly expiresAt?: number;
  readonly scope?: string;
}

/** The user as edge-oauth needs them. `id` is the provider's stable user id. */
export interface Profile {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  /**
   * true / false: the provider says the email is verified / unverified (or, for false, an
   * adapter that must establish it could not: Microsoft multi-tenant). undefined: the
   * provider does not say (a generic OIDC issuer without `email_verified`, a single-tenant
   * Microsoft directory, Microsoft userinfo): at sign-in the operator trusts the issuer they
   * configured; on a re-check the address keeps the session's standing when unchanged and is
   * unverified when it is another (sign-in/allow-list.ts, recheckedEmail).
   */
  readonly emailVerified?: boolean;
  /**
   * The provider documents no verification of the email (Amazon): it is passed on to the
   * origin, but never matches an allow-list (refused as unverified where one applies).
   */
  readonly emailUnverifiable?: boolean;
  /**
   * The user's groups at the provider, normalised (access/groups.ts): GitHub orgs and
   * `org/team`s, GitLab group paths, Microsoft group ids, an OIDC claim's values.
   * undefined when the provider type has none or they were not asked for.
   */
  readonly groups?: readonly string[];
  /**
   * The groups are configured but this answer did not speak of them: a refresh answer
   * without an ID token (OIDC Core 12.2 lets the issuer omit it) or a userinfo-only
   * re-check, from an issuer that puts the groups claim in the ID token only. A re-check
   * keeps the session's stored groups (session/refresh.ts) instead of reading "in none".
   */
  readonly groupsNotRead?: true;
}

export interface SignInResult {
  readonly tokens: TokenSet;
  readonly profile: Profile;
}

export interface Provider {
  readonly id: string;
  readonly type: ProviderType;
  readonly displayName: string;
  readonly config: ProviderConfig;
  /** Whether `refresh` can renew tokens (the provider issues refresh tokens). */
  readonly supportsRefresh: boolean;
  /**
   * Its refresh tokens outlive a session and come only with a consent screen (Google): one is
   * kept, sealed, with the App User and used by sessions whose sign-in got none
   * (sign-in/kept-refresh-token.ts).
   */
  readonly keepsRefreshToken?: boolean;
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  /** Exchanges the code (PKCE + client secret), validates what must be validated, reads the profile. */
  finishSignIn(input: CallbackInput): Promise<SignInResult>;
  /** Refresh-token grant, then the current profile. */
  refresh(refreshToken: string): Promise<SignInResult>;
  /** The current profile with an access token (userinfo or the provider's API). */
  profile(tokens: TokenSet): Promise<Profile>;
  /**
   * Where to send the browser to end the user's session at the provider too, coming back to
   * `returnTo` (`/auth/logout`, when the config asks for it). @default - not offered
   */
  endSessionUrl?(returnTo: string): Promise<URL>;
}
