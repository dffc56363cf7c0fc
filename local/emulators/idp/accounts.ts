/**
 * The dev IdP's accounts (local/emulators/idp/provider.ts): in memory, any email signs in,
 * and tests change an email, unverify it, or disable the account between requests.
 */
import { createHash } from 'node:crypto';

export interface DevAccount {
  readonly sub: string;
  email: string;
  name?: string;
  emailVerified: boolean;
  /** The `groups` claim (the sign-in form's "Groups" field, comma-separated). */
  groups?: string[];
  disabled: boolean;
}

/** The in-memory account store. Getters return copies; change accounts through update(). */
export class DevAccounts {
  private readonly bySub = new Map<string, DevAccount>();

  get(sub: string): DevAccount | undefined {
    const a = this.bySub.get(sub);
    return a && { ...a };
  }

  findByEmail(email: string): DevAccount | undefined {
    const a = this.live(email);
    return a && { ...a };
  }

  update(sub: string, patch: { email?: string; name?: string; emailVerified?: boolean; groups?: string[] }): DevAccount {
    const a = this.must(sub);
    if (patch.email !== undefined) a.email = patch.email.trim();
    if (patch.name !== undefined) a.name = patch.name;
    if (patch.emailVerified !== undefined) a.emailVerified = patch.emailVerified;
    if (patch.groups !== undefined) a.groups = [...patch.groups];
    return { ...a };
  }

  /** A disabled account cannot sign in, refresh, or read userinfo (findAccount → undefined). */
  disable(sub: string): void {
    this.must(sub).disabled = true;
  }

  enable(sub: string): void {
    this.must(sub).disabled = false;
  }

  /** The sign-in form: the account for this email (created on first sign-in) with the form's claims. */
  signIn(email: string, name: string | undefined, emailVerified: boolean, groups: string[] = []): DevAccount {
    let a = this.live(email);
    if (!a) {
      // Stable per email on first sign-in. An account whose email was changed keeps its sub,
      // so a later sign-in with its old email must not collide with it.
      const base = `u-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
      let sub = base;
      for (let i = 2; this.bySub.has(sub); i++) sub = `${base}-${i}`;
      a = { sub, email: email.trim(), emailVerified, disabled: false };
      this.bySub.set(sub, a);
    }
    if (name) a.name = name;
    a.emailVerified = emailVerified;
    a.groups = groups;
    return { ...a };
  }

  private live(email: string): DevAccount | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.bySub.values()].find((a) => a.email.toLowerCase() === wanted);
  }

  private must(sub: string): DevAccount {
    const a = this.bySub.get(sub);
    if (!a) throw new Error(`dev IdP: no account ${sub}`);
    return a;
  }
}
