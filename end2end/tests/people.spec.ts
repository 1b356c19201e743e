// Account management as an admin does it.
import { expect, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

test('the new-account form checks input as the admin types', async ({ page }) => {
  await signIn(page, 'admin');
  await page.goto('/people');
  await hydrated(page);
  await page.locator('#nu-password').fill('short');
  await expect(page.getByTestId('password-problem')).toHaveText('太短');
  await page.locator('#nu-password').fill('long-enough-password');
  await expect(page.getByTestId('password-problem')).toHaveText('');
  await page.locator('#nu-username').fill('bad name');
  await expect(page.getByTestId('username-problem')).toHaveText('格式不正确');
});

test('an admin creates a learner who can then sign in', async ({ page, browser }) => {
  await signIn(page, 'admin');
  await page.goto('/people');
  await hydrated(page);
  const form = page.getByTestId('new-account');
  await form.locator('#nu-username').fill('sun.fang');
  await form.locator('#nu-name').fill('孙芳');
  await form.locator('#nu-role').selectOption('learner');
  await form.locator('#nu-site').selectOption({ label: '江滨街道社区卫生服务中心' });
  await form.locator('#nu-password').fill('welcome-to-sonohub');
  await form.getByRole('button', { name: '创建账号' }).click();
  await expect(form.getByRole('status')).toHaveText('账号 sun.fang 已创建。');
  await expect(page.locator('tr[data-username="sun.fang"]')).toContainText('江滨街道社区卫生服务中心');

  const context = await browser.newContext();
  const learner = await context.newPage();
  await signIn(learner, 'sun.fang', 'welcome-to-sonohub');
  await expect(learner.getByTestId('user-chip')).toContainText('孙芳');
  await expect(learner.getByTestId('user-chip')).toContainText('学员');
  await context.close();
});
