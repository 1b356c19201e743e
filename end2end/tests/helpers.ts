// Shared steps: wait for hydration, sign in, sign out.
import { expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'sonohub-demo';

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
