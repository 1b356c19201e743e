// Shared steps: wait for hydration, sign in, sign out.
import { expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DEMO_PASSWORD = 'sonohub-demo';

/** The server binary under test, for its command-line tools (playwright.config.ts starts it). */
export const SONOHUB = path.resolve(
  __dirname,
  '..',
  process.env.SONOHUB_E2E_SERVER ?? '../target/release/sonohub',
);

/** Waits until the wasm app has hydrated the page, so clicks are handled by it. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Signs in through the form on /login and waits to land on `expectPath`. */
export async function signIn(page: Page, username: string, password = DEMO_PASSWORD, expectPath = '/') {
  if (!page.url().includes('/login')) {
    await page.goto('/login');
  }
  await hydrated(page);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname === expectPath);
  await hydrated(page);
}

/** Opens /studies until the demo import has listed at least `atLeast` studies (the server
 *  imports them in the background at start). */
export async function demoStudies(page: Page, atLeast = 1) {
  await expect(async () => {
    await page.goto('/studies');
    await hydrated(page);
    expect(await page.locator('[data-testid="library"] tbody tr').count()).toBeGreaterThanOrEqual(atLeast);
  }).toPass({ timeout: 60_000 });
}

/** The serious and critical axe-core violations of the page as it stands (WCAG 2.1 A/AA). */
export async function serious(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the page's Content-Security-Policy refuses inline
  // scripts without its nonce, as it should.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await (window as any).axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
    }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return result.violations
    .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: any) => `${v.impact} ${v.id} ×${v.nodes.length}: ${v.nodes.map((n: any) => n.target).join(' ')}`);
}

