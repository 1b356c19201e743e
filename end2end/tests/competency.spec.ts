// Credentials as the network's coordinator runs them: the site × application grid over a
// period, an award to an eligible learner from the standings, the printable certificate, and
// its public verification page read by someone who is not signed in. And a learner's own
// progress with the learning curve.
import { expect, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

test('the coordinator reads the grid, awards a credential and anyone can verify it', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, 'zhou.min');
  await page.goto('/competency');
  await hydrated(page);
  await expect(page.locator('main h1')).toHaveCount(1);

  // Fourteen sites, the hub first.
  const grid = page.locator('[data-testid="grid"]');
  await expect(grid.locator('tbody tr')).toHaveCount(14);
  await expect(grid.locator('tbody tr').first()).toHaveClass(/hub-row/);
  await expect(page.locator('[data-testid="took"]')).toBeVisible();

  // Another period: the grid is read again for it.
  const shown = page.locator('[data-testid="period-shown"]');
  const before = await shown.textContent();
  await page.locator('[data-testid="period-select"]').selectOption('12');
  await expect(shown).not.toHaveText(before!);
  await expect(grid.locator('tbody tr')).toHaveCount(14);

  // The grid as a CSV file, with Chinese intact behind a byte-order mark.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.csv-button').first().click(),
  ]);
  expect(download.suggestedFilename()).toBe('competency-grid.csv');

  // The first eligible learner in the standings.
  const row = page.locator('[data-testid="standing-row"]').filter({ has: page.locator('[data-testid="award"]') }).first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  await row.locator('[data-testid="award"]').click();
  const certificate = row.locator('[data-testid="new-certificate"]');
  await expect(certificate).toBeVisible();
  const code = (await certificate.textContent())!.trim();
  expect(code.length).toBeGreaterThan(0);

  await certificate.click();
  await page.waitForURL(`**/certificates/${code}`);
  await hydrated(page);
  await expect(page.locator('[data-testid="certificate"]')).toBeVisible();
  await expect(page.locator('[data-testid="code"]')).toHaveText(code);
  await expect(page.getByRole('button', { name: '打印' })).toBeVisible();
  await expect(page.locator('[data-testid="verify-url"]')).toHaveAttribute('href', new RegExp(`/verify/${code}$`));

  // Nobody signed in: the verification page still answers, and says valid.
  const stranger = await browser.newContext({ locale: 'zh-CN' });
  const publicPage = await stranger.newPage();
  await publicPage.goto(`/verify/${code}`);
  await hydrated(publicPage);
  expect(new URL(publicPage.url()).pathname).toBe(`/verify/${code}`);
  await expect(publicPage.locator('[data-testid="verdict"]')).toHaveAttribute('data-verdict', 'valid');
  await expect(publicPage.locator('[data-testid="verdict"]')).toContainText('有效');
  await expect(publicPage.locator('[data-testid="user-chip"]')).toHaveCount(0);

  // A code that does not exist is said to be not found, from the form on /verify.
  await publicPage.goto('/verify');
  await hydrated(publicPage);
  await publicPage.locator('[data-testid="verify-code"]').fill('NO-SUCH-CODE');
  await publicPage.locator('form.verify-form button[type="submit"]').click();
  await expect(publicPage.locator('[data-testid="verdict"]')).toHaveAttribute('data-verdict', 'not_found');
  await stranger.close();
});

test('a learner sees their progress with a learning curve', async ({ page }) => {
  await signIn(page, 'li.na');
  await page.goto('/competency');
  await hydrated(page);
  await expect(page.locator('main h1')).toHaveText('我的能力进度');
  const standing = page.locator('[data-testid="standing"]').first();
  await expect(standing).toBeVisible();
  await expect(standing.locator('.rule-line').first()).toBeVisible();
  await expect(page.locator('[data-testid="learning-curve"] svg[role="img"]').first()).toBeVisible();
});
