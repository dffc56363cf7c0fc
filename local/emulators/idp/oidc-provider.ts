/**
 * The slice of oidc-provider's API the dev IdP uses (the package ships no type declarations):
 * https://github.com/panva/node-oidc-provider/blob/main/docs/README.md
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Req = IncomingMessage;
export type Res = ServerResponse;
export interface Interaction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
export interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
export type KoaContext = {
  path: string;
  method: string;
  query: Record<string, string | string[] | undefined>;
  type: string;
  body: unknown;
  status: number;
  headers: Record<string, string | undefined>;
  set(name: string, value: string): void;
  oidc?: { client?: { clientId: string } };
};
export interface Provider {
  callback(): (req: Req, res: Res) => void;
  interactionDetails(req: Req, res: Res): Promise<Interaction>;
  interactionFinished(req: Req, res: Res, result: object, o: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: { new (init: { accountId?: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  on(event: 'server_error', listener: (ctx: unknown, err: Error) => void): void;
}
export type ProviderClass = new (issuer: string, configuration: object) => Provider;
