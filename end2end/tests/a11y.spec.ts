// axe-core (WCAG 2.1 A and AA rules) on every page of every role, in both languages: a serious
// or critical violation fails the test. Pages added later belong in PAGES.
import { expect, Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { demoStudies, hydrated, signIn } from './helpers';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// CASE is a published library case, STUDY an anonymised study: found at run time.
const PAGES: Record<string, string[]> = {
  'li.na': ['/', '/cases', 'CASE', 'CASE/solve', '/viewer', '/profile', '/notifications',
    '/courses', '/replays', '/competency'],
  'chen.jing': ['/', '/studies', 'STUDY', '/quarantine', '/cases/work', '/cases/follow-ups',
    '/cases/outcomes', 'CASE/edit', 'CASE/versions'],
  'zhou.min': ['/', '/people'],
  admin: ['/', '/admin', '/admin/audit', '/admin/sites', '/admin/archive', '/admin/device-masks',
    '/people'],
};

async function serious(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
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

async function firstCase(page: Page): Promise<string> {
  let href: string | null = null;
  await expect(async () => {
    await page.goto('/cases');
    await hydrated(page);
    href = await page.locator('a.case-card-link').first().getAttribute('href', { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  return href!;
}

async function scan(page: Page, path: string, lang: string) {
  await page.goto(path);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  await expect(page.locator('html')).toHaveAttribute('lang', new RegExp(`^${lang}`));
  expect(await serious(page), `${path} (${lang})`).toEqual([]);
}

for (const [locale, lang] of [['zh-CN', 'zh'], ['en-GB', 'en']]) {
  test.describe(`in ${lang}`, () => {
    test.use({ locale });

    test('the sign-in page and the 404 page', async ({ page }) => {
      await scan(page, '/login', lang);
      await signIn(page, 'li.na');
      await page.goto('/no/such/page');
      await hydrated(page);
      expect(await serious(page)).toEqual([]);
    });

    for (const [user, paths] of Object.entries(PAGES)) {
      test(`every page of ${user}`, async ({ page }) => {
        test.setTimeout(180_000);
        await signIn(page, user);
        const kase = paths.some((p) => p.startsWith('CASE')) ? await firstCase(page) : '';
        let study = '';
        if (paths.includes('STUDY')) {
          await demoStudies(page);
          study = (await page.locator('[data-testid="library"] tbody a.btn').first().getAttribute('href'))!;
        }
        for (const p of paths) {
          await scan(page, p.replace('CASE', kase).replace('STUDY', study), lang);
        }
      });
    }
  });
}
