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

/**
 * What a review run reports about the page as `name`: sideways scrolling, and axe-core's serious
 * and critical WCAG 2.x A/AA violations (`axe`: axe.min.js's source), one line each.
 */
export async function findings(page, name, axe) {
  const found = [];
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  if (wide) found.push(`${name}: scrolls sideways`);
  // Evaluated, not added as a <script>: the page's CSP refuses inline scripts.
  await page.evaluate(axe);
  const result = await page.evaluate(async () =>
    await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  for (const v of result.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      found.push(`${name}: ${v.impact} ${v.id} ×${v.nodes.length} ${v.nodes[0]?.target} ${v.nodes[0]?.failureSummary?.slice(0, 200) ?? ''}`);
    }
  }
  return found;
}
