// Shared by the review scripts (screenshots.mjs, review.mjs): Debian's Chromium and the sign-in.
import { chromium } from '@playwright/test';

/** Debian's Chromium with the flags the machines here need. */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Signs `user` in with the demo password through the form and waits for the home page. */
export async function signIn(page, base, user) {
  await page.goto(`${base}/login`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.fill('#username', user);
  await page.fill('#password', 'sonohub-demo');
  await page.click('form button[type="submit"]');
  await page.waitForURL(`${base}/`);
}
