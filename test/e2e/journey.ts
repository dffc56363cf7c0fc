/** Shared steps for the browser journeys: the dev IdP's sign-in form, the demo origin's page. */
import type { BrowserContext, Cookie, Page } from 'playwright-core';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack/stack';

/**
 * startLocalStack, retried on EADDRINUSE: it reserves the site's port with freePort() (bind
 * port 0, close) and binds it only after starting three other servers, so under parallel
 * test runs another process can take the port in between. Reported; remove when fixed.
 */
export async function startStack(options: LocalStackOptions): Promise<LocalStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalStack(options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw error;
      console.warn(`[e2e] startLocalStack: ${(error as Error).message}; retrying (attempt ${attempt + 1})`);
    }
  }
}

export interface IdpForm {
  email: string;
  name?: string;
  /** The form's "Email verified" checkbox; default checked. */
  emailVerified?: boolean;
  /** The form's "Groups" field (comma-separated). */
  groups?: string;
}

/**
 * Waits while the page shows one of the fragment pages (lambdas/core/viewer/fragment-pages.ts):
 * a browser's sign-in start and its callback are there for an instant, then move on by themselves.
 */
export async function pastFragmentPages(page: Page): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const passing = await page.locator('script[data-s]').count().catch(() => 1);
    if (passing === 0) {
      await page.waitForLoadState('load').catch(() => undefined);
      if ((await page.locator('script[data-s]').count().catch(() => 1)) === 0) return;
    }
    await page.waitForTimeout(50);
  }
}

/** True when the page shows the dev IdP's sign-in form. */
export async function atIdpSignInForm(page: Page, stack: LocalStack): Promise<boolean> {
  await pastFragmentPages(page);
  const url = new URL(page.url());
  return url.origin === stack.idp!.issuer && /^\/interaction\/[\w-]+$/.test(url.pathname) && (await page.locator('form input[name="email"]').count()) === 1;
}

/** Waits until the browser shows a page of the site (the first committed site URL). */
export async function waitForSite(page: Page, stack: LocalStack): Promise<void> {
  await page.waitForURL((url) => url.origin === stack.siteUrl, { waitUntil: 'load' });
  await pastFragmentPages(page);
  await page.waitForURL((url) => url.origin === stack.siteUrl, { waitUntil: 'load' });
}

/** Fills in and submits the dev IdP's sign-in form, then waits for the site's page. */
export async function submitIdpForm(page: Page, stack: LocalStack, form: IdpForm): Promise<void> {
  const issuer = stack.idp!.issuer;
  await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'), { waitUntil: 'load' });
  await page.fill('input[name="email"]', form.email);
  if (form.name !== undefined) await page.fill('input[name="name"]', form.name);
  if (form.groups !== undefined) await page.fill('input[name="groups"]', form.groups);
  await page.setChecked('input[name="email_verified"]', form.emailVerified !== false);
  await Promise.all([waitForSite(page, stack), page.click('button[type="submit"]')]);
}

/** Opens `path` on the site signed out, signs in at the dev IdP, and waits for the site. */
export async function signIn(page: Page, stack: LocalStack, form: IdpForm, path = '/'): Promise<void> {
  await page.goto(`${stack.siteUrl}${path}`);
  await submitIdpForm(page, stack, form);
}

/** The demo origin's "Signed in as ..." line (or its "No identity headers" line). */
export async function whoLine(page: Page): Promise<string> {
  try {
    return (await page.locator('p.who').innerText()).replace(/\s+/g, ' ').trim();
  } catch (error) {
    // Name the page the browser shows instead (an edge page, the IdP), so a failure says why.
    const body = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(no body)');
    throw new Error(`no "p.who" line at ${page.url()}; the page says: ${body.replace(/\s+/g, ' ').trim().slice(0, 600)}\n${(error as Error).message}`);
  }
}

/**
 * Every cookie Chromium holds for the site's host, whatever its path (a cookie on another
 * path than the site URL's would not be listed by `context.cookies(siteUrl)`).
 */
export async function siteCookies(context: BrowserContext, stack: LocalStack): Promise<Cookie[]> {
  const host = new URL(stack.siteUrl).hostname;
  return (await context.cookies()).filter((c) => c.domain === host || c.domain === `.${host}`);
}

/** The session cookie as Chromium stored it for the site, if any. */
export async function sessionCookie(context: BrowserContext, stack: LocalStack): Promise<Cookie | undefined> {
  return (await context.cookies(stack.siteUrl)).find((c) => c.name === stack.config.session.cookiePrefix);
}

export interface OriginEcho {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
}

/** What the origin received for a same-origin fetch from the page (the page's cookies go along). */
export async function fetchEcho(page: Page, path = '/'): Promise<{ status: number; echo?: OriginEcho }> {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { headers: { accept: 'application/json' }, redirect: 'manual' });
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, ...(type.includes('json') && { echo: (await response.json()) as OriginEcho }) };
  }, path);
}
