// Review run (not a test): screenshots (desktop + phone, zh + en, full page) and axe of the
// competency pages. node review-competency.mjs BASE_URL OUT_DIR
import { findings as check, launch, signIn } from './browse.mjs';
import { readFileSync, mkdirSync } from 'node:fs';
const base = process.argv[2];
const out = process.argv[3];
mkdirSync(out, { recursive: true });
const axe = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const browser = await launch();
const findings = [];
async function visit(page, name, path, shoot, before) {
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.waitForLoadState('networkidle');
  if (before) await before(page);
  if (shoot) await page.screenshot({ path: `${out}/${name}.png`, fullPage: shoot === 'full' });
  findings.push(...await check(page, name, axe));
  console.log(name, await page.title());
}
// Find ids once (zh desktop, as the coordinator / expert).
const ctx0 = await browser.newContext({ locale: 'zh-CN' });
const p0 = await ctx0.newPage();
await signIn(p0, base, 'chen.jing');
await p0.goto(`${base}/review`);
await p0.waitForSelector('body[data-hydrated="true"]');
const entry = await p0.locator('[data-testid="queue"] tr[data-entry]').first().getAttribute('data-entry');
await ctx0.close();
const ctx1 = await browser.newContext({ locale: 'zh-CN' });
const p1 = await ctx1.newPage();
await signIn(p1, base, 'zhou.min');
await p1.goto(`${base}/competency`);
await p1.waitForSelector('body[data-hydrated="true"]');
const learnerHref = await p1.locator('[data-testid="standing-row"] th a').first().getAttribute('href');
const certHref = await p1.locator('[data-testid="standing-row"] a[href^="/certificates/"]').first().getAttribute('href').catch(() => null);
await ctx1.close();
console.log({ entry, learnerHref, certHref });
const plan = [
  ['zhou.min', ['/competency', '/competency/quality', '/competency/rules', '/competency/applications', learnerHref, certHref].filter(Boolean)],
  ['chen.jing', ['/review', `/logbook/${entry}`]],
  ['li.na', ['/competency', '/logbook', '/logbook/new']],
];
for (const [locale, lang] of [['zh-CN', 'zh'], ['en-GB', 'en']]) {
  for (const [user, paths] of plan) {
    for (const [device, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      const context = await browser.newContext({ locale, viewport });
      const page = await context.newPage();
      await signIn(page, base, user);
      for (const path of paths) {
        const name = `${lang}-${device}-${user}${path.replaceAll('/', '_')}`;
        await visit(page, name, path, 'full');
      }
      if (user === 'zhou.min') {
        await visit(page, `${lang}-${device}-rules-open`, '/competency/rules', 'full', async (p) => { await p.getByTestId('edit-rule-efast').click(); });
        await visit(page, `${lang}-${device}-applications-new`, '/competency/applications', 'full', async (p) => { await p.getByTestId('new-application').click(); });
      }
      await context.close();
    }
  }
}
await browser.close();
console.log(findings.length ? findings.join('\n') : 'no serious or critical violation, nothing scrolls sideways');
