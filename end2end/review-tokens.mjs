// Review run (not a test): the DICOMweb tokens page (empty, a token just issued, a revoked
// one) and the site QC page, desktop and phone, zh and en, with axe.
// node review-tokens.mjs BASE_URL OUT_DIR
import { findings as check, launch, signIn } from './browse.mjs';
import { readFileSync, mkdirSync } from 'node:fs';
const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const axe = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const browser = await launch();
const findings = [];
async function shoot(page, name) {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  findings.push(...await check(page, name, axe));
  console.log(name, await page.title());
}
for (const [locale, lang] of [['zh-CN', 'zh'], ['en-GB', 'en']]) {
  for (const [device, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const context = await browser.newContext({ locale, viewport });
    const page = await context.newPage();
    await signIn(page, base, 'admin');
    await page.goto(`${base}/admin/dicomweb-tokens`);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.waitForLoadState('networkidle');
    await shoot(page, `${lang}-${device}-tokens`);
    const name = `${lang === 'zh' ? 'OHIF 教学阅片器' : 'OHIF teaching viewer'} ${device}`;
    await page.getByTestId('token-name').fill(name);
    await page.getByTestId('token-holder').fill(lang === 'zh' ? '中心医院信息科' : 'Hub hospital IT');
    await page.getByTestId('token-issue').click();
    await page.getByTestId('token-secret').waitFor();
    await page.locator(`[data-testid="token-row"][data-name="${name}"]`).waitFor();
    await shoot(page, `${lang}-${device}-tokens-issued`);
    await page.locator(`[data-testid="token-row"][data-name="${name}"] [data-testid="token-revoke"]`).click();
    await page.getByTestId('token-revoke-confirm').waitFor();
    await shoot(page, `${lang}-${device}-tokens-confirm`);
    await page.getByTestId('token-revoke-confirm').click();
    await page.getByTestId('token-revoked').waitFor();
    await context.close();
    const coordinator = await browser.newContext({ locale, viewport });
    const qc = await coordinator.newPage();
    await signIn(qc, base, 'zhou.min');
    await qc.goto(`${base}/competency/quality`);
    await qc.waitForSelector('body[data-hydrated="true"]');
    await qc.waitForLoadState('networkidle');
    await shoot(qc, `${lang}-${device}-quality`);
    await coordinator.close();
  }
}
await browser.close();
console.log(findings.length ? findings.join('\n') : 'axe: no serious or critical violation; nothing scrolls sideways');
