/**
 * GitHub (an OAuth app): plain OAuth 2.0, not OpenID Connect.
 *
 * - Endpoints: github.com/login/oauth/authorize and /login/oauth/access_token (asked for
 *   JSON), the REST API at api.github.com with `User-Agent` and
 *   `Accept: application/vnd.github+json`, as GitHub requires.
 * - Scope `user:email` only: with no scope a token already reads the public profile
 *   (`GET /user`: id, login, name); `user:email` adds `GET /user/emails`. (`read:user`
 *   would add private profile data we do not use.)
 * - The email is the primary address from `/user/emails`, never `/user`'s public one. If
 *   the primary is unverified the profile says so (`emailVerified: false`) and the
 *   policy refuses it; GitHub does not let us pick another of the user's addresses.
 * - Groups: organizations and `org/team`s with `read:org` (github-groups.ts), asked for when a
 *   rule names GitHub groups (config resolution sets `fetchGroups`). An OAuth app only: a
 *   GitHub App's user token is fine-grained, and `/user/orgs` answers it with an empty list
 *   (github-groups.ts), so such a token is refused rather than read as "in no organization"
 *   (the config check refuses GitHub group rules for a GitHub App client id already).
 * - PKCE S256 is supported since July 2025.
 * - New sign-in: `prompt=select_account` shows GitHub's account picker; GitHub has no way
 *   to demand a password again, nor to tell us one was entered.
 * - Refresh: an OAuth app's tokens do not expire and come without a refresh token (re-checks
 *   read the profile with the token). A GitHub App (client id `Iv1.` / `Iv23...`) with
 *   expiring user tokens gets an 8-hour token and a 6-month refresh token, refreshed here;
 *   "Once you use a refresh token, that refresh token and the old user access token will no
 *   longer work" (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens).
 * - GitHub answers token endpoint errors with HTTP 200 and an `error` body; they are made
 *   the HTTP 400 RFC 6749 expects before the library reads them. Its codes are its own:
 *   `bad_verification_code`, `bad_refresh_token`, `incorrect_client_credentials`.
 */
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import { GITHUB_GROUPS_SCOPE, githubGroups, isGitHubAppUserToken } from './github-groups';
import { fixTokenResponses, OAuth2Provider, stringField } from './oauth2';
import type { Profile, ProviderDeps } from './types';

const TOKEN_ENDPOINT = 'https://github.com/login/oauth/access_token';
const API = 'https://api.github.com';
const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'edge-oauth' };

interface GitHubEmail {
  readonly email: string;
  readonly primary: boolean;
  readonly verified: boolean;
}

export class GitHubProvider extends OAuth2Provider {
  readonly #onNotice: ProviderDeps['onNotice'];

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super(config, deps, {
      issuer: 'https://github.com',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: TOKEN_ENDPOINT,
      requiredScopes: config.fetchGroups ? ['user:email', GITHUB_GROUPS_SCOPE] : ['user:email'],
      pkce: true,
      tokenEndpointAuth: 'client_secret_post',
      reauthenticationParams: { prompt: 'select_account' },
      supportsRefresh: true,
      wrapFetch: fixTokenResponses(TOKEN_ENDPOINT, (status, body) =>
        status === 200 && typeof body.error === 'string' ? { status: 400, body } : { status, body },
      ),
    });
    this.#onNotice = deps.onNotice;
  }

  protected async fetchProfile(accessToken: string): Promise<Profile> {
    if (this.config.fetchGroups && isGitHubAppUserToken(accessToken)) {
      throw new ProviderError(
        'ERR_PROVIDER_FAILED',
        'groups: this is a GitHub App (user tokens "ghu_..."), and GitHub lists no organizations to its tokens; GitHub group rules need an OAuth app',
      );
    }
    const user = await this.getJson(`${API}/user`, accessToken, API_HEADERS);
    const id = (user as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' && typeof id !== 'string') throw new ProviderError('ERR_PROVIDER_RESPONSE', 'profile: GitHub sent no user id');
    const emails = await this.getJson(`${API}/user/emails`, accessToken, API_HEADERS);
    const primary = Array.isArray(emails) ? (emails as GitHubEmail[]).find((e) => e?.primary === true && typeof e.email === 'string') : undefined;
    const name = stringField(user, 'name') ?? stringField(user, 'login');
    // Organizations and teams (github-groups.ts), when a rule names GitHub groups.
    const groups = this.config.fetchGroups ? await this.groups(accessToken) : undefined;
    return {
      id: String(id),
      ...(name !== undefined && { name }),
      ...(primary !== undefined && { email: primary.email, emailVerified: primary.verified === true }),
      ...(groups !== undefined && { groups }),
    };
  }

  /** The user's organizations and teams (never from a GitHub App's token: refused above, it would read as "in none"). */
  private async groups(accessToken: string): Promise<string[]> {
    return githubGroups(API, (url) => this.getJsonWithHeaders(url, accessToken, API_HEADERS), this.#onNotice);
  }
}
