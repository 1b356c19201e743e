// Review run (not a test): screenshots of pages on a desktop and a phone, and an axe-core scan
// of each in both languages. node review.mjs BASE_URL OUT_DIR AXE_JS
import { expect } from '@playwright/test';
import { findings as check, launch, signIn } from './browse.mjs';
import { readFileSync } from 'node:fs';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const out = process.argv[3] ?? '../target/review';
const axe = process.argv[4] ? readFileSync(process.argv[4], 'utf8') : null;
const browser = await launch();
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

async function signedIn(user, locale, viewport) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  await signIn(page, base, user);
  return { context, page };
}

const findings = [];
async function visit(page, name, path, shoot) {
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.waitForLoadState('networkidle');
  if (shoot) await page.screenshot({ path: `${out}/${name}.png`, fullPage: false });
  if (axe) findings.push(...await check(page, name, axe));
  else if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) {
    findings.push(`${name}: scrolls sideways`);
  }
  console.log(name, await page.title());
}

const firstCase = async (page) => {
  // The demo library is seeded in the background after start.
  let href = null;
  await expect(async () => {
    await page.goto(`${base}/cases`);
    await page.waitForSelector('body[data-hydrated="true"]');
    href = await page.locator('a.case-card-link').first().getAttribute('href', { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  return href;
};

let scanned = 0;
for (const [locale, lang] of [['zh-CN', 'zh'], ['en-GB', 'en']]) {
  for (const [user, paths] of [
    ['li.na', ['/', '/cases', 'CASE', 'CASE/solve', '/viewer', '/profile', '/notifications']],
    ['chen.jing', ['/', '/studies', '/cases/work', '/cases/follow-ups', '/cases/outcomes']],
    ['zhou.min', ['/', '/people']],
    ['admin', ['/', '/admin', '/admin/audit', '/admin/sites', '/admin/archive', '/people']],
  ]) {
    for (const [device, viewport] of [['desktop', desktop], ['phone', phone]]) {
      const { context, page } = await signedIn(user, locale, viewport);
      const kase = paths.some((p) => p.startsWith('CASE')) ? await firstCase(page) : null;
      for (const p of paths) {
        const path = p.replace('CASE', kase ?? '/cases');
        const name = `${lang}-${device}-${user}${path.replaceAll('/', '_')}`;
        await visit(page, name, path, lang === 'zh' || device === 'desktop');
        scanned += 1;
      }
      await context.close();
    }
  }
}
await browser.close();
console.log(`${scanned} page views scanned`);
console.log(findings.length ? findings.join('\n') : 'no serious or critical violation, nothing scrolls sideways');
