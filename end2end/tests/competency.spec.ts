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

  // The first eligible learner in the standings (the demo's logbooks are seeded after start),
  // held by who and what: once awarded, the row has no award button to be found by.
  const eligible = page.locator('[data-testid="standing-row"]').filter({ has: page.locator('[data-testid="award"]') }).first();
  await expect(async () => {
    if (!(await eligible.isVisible())) {
      await page.reload();
      await hydrated(page);
    }
    await expect(eligible).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 150_000 });
  const learner = (await eligible.getAttribute('data-learner'))!;
  const application = (await eligible.getAttribute('data-application'))!;
  const row = page.locator(`[data-testid="standing-row"][data-learner="${learner}"][data-application="${application}"]`);
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

test('the coordinator compares a site with the hub and reads reviewer agreement', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'zhou.min');
  await page.goto('/competency');
  await hydrated(page);
  await page.getByTestId('to-quality').click();
  await page.waitForURL('**/competency/quality');
  await hydrated(page);
  // Every site against the hub, and the chosen site's two monthly charts (site and hub lines).
  const sites = page.getByTestId('qc-sites');
  await expect(sites.locator('tbody tr')).toHaveCount(14, { timeout: 60_000 });
  const charts = page.getByTestId('qc-charts');
  await expect(charts.locator('svg[role="img"]')).toHaveCount(2);
  await expect(charts.locator('path.chart-s-hub').first()).toBeVisible();
  // Choosing another site redraws the charts for it.
  const other = sites.locator('tbody tr').nth(3);
  const name = (await other.locator('th button').textContent())!.trim();
  await other.locator('th button').click();
  await expect(charts.locator('svg title').first()).toContainText(name);
  // The demo's noisy pair agrees less than the others and is marked.
  await expect(page.getByTestId('qc-reviewers').locator('tbody tr')).not.toHaveCount(0);
  await expect(page.getByTestId('qc-pairs').locator('tr.row-warn')).not.toHaveCount(0);
});

test('the coordinator sets a credential rule, and a rule that cannot hold is refused', async ({ page }) => {
  await signIn(page, 'zhou.min');
  await page.goto('/competency/rules');
  await hydrated(page);
  await page.getByTestId('edit-rule-carotid').click();
  const form = page.getByTestId('rule-form-carotid');
  // A renewal period with no maintenance count would renew itself for ever.
  await form.getByTestId('rule-min_reviewed_scans').fill('30');
  await form.getByTestId('rule-renews').check();
  await form.getByTestId('rule-maintenance_scans').fill('0');
  await form.getByTestId('rule-save').click();
  await expect(form.locator('.field-error')).toHaveText('必填');
  await form.getByTestId('rule-maintenance_scans').fill('8');
  await form.getByTestId('rule-save').click();
  await expect(page.getByTestId('rule-saved')).toContainText('颈动脉');
  const card = page.locator('[data-application="carotid"]');
  await expect(card.getByTestId('rule-summary')).toContainText('至少 30 例审阅扫查');
  await expect(card.getByTestId('rule-summary')).toContainText('8 例达标扫查');
});

test('the coordinator adds an application with its review form and retires it', async ({ page }) => {
  await signIn(page, 'zhou.min');
  await page.goto('/competency/applications');
  await hydrated(page);
  await page.getByTestId('new-application').click();
  const form = page.getByTestId('application-form');
  // A code of its own, should the test run again on the same server.
  const code = `pleural_${Date.now() % 1_000_000}`;
  await form.getByTestId('app-code').fill(code);
  await form.getByTestId('app-name-zh').fill('胸腔积液');
  await form.getByTestId('app-name-en').fill('Pleural effusion');
  await form.locator('#field-0-key').fill('effusion');
  await form.locator('#field-0-label').fill('积液 Effusion');
  await form.locator('#field-0-kind').selectOption('per_window');
  await form.locator('#field-0-windows').fill('左 left\n右 right');
  // One option is not enough to choose from: refused, naming where.
  await form.locator('#field-0-options').fill('无 none');
  await form.getByTestId('application-save').click();
  await expect(form.getByTestId('application-error')).toContainText('第 1 项 · 选项');
  await form.locator('#field-0-options').fill('无 none\n少量 small\n大量 large');
  await form.locator('#field-0-negative').fill('无 none');
  await form.getByTestId('application-save').click();
  const card = page.locator(`[data-application="${code}"]`);
  await expect(card).toContainText('胸腔积液');
  await expect(card).toContainText('1 个判读项目');
  // Learners can log it at once; retired, it is no longer offered.
  await card.getByTestId(`retire-application-${code}`).click();
  await expect(card.locator('.badge-retired')).toBeVisible();
});
