// An admin issues a named read-only DICOMweb token, a client uses it, the admin sees the use
// and revokes it; the page has no serious accessibility violation with a token listed.
import { expect, test } from '@playwright/test';
import { hydrated, serious, signIn } from './helpers';

test('an admin issues a DICOMweb token, sees it used, and revokes it', async ({ page, request }) => {
  await signIn(page, 'admin');
  await page.goto('/admin/dicomweb-tokens');
  await hydrated(page);

  // Both fields are required, and the refusal is said under the field.
  await page.getByTestId('token-issue').click();
  await expect(page.getByTestId('token-form').locator('.field-error')).toHaveCount(1);

  const name = `Ward viewer ${Date.now()}`;
  await page.getByTestId('token-name').fill(name);
  await page.getByTestId('token-holder').fill('病房 3 工作站');
  await page.getByTestId('token-issue').click();
  const shown = page.getByTestId('token-secret');
  await expect(shown).toContainText(name);
  const secret = await page.getByTestId('token-secret-value').inputValue();
  expect(secret).toMatch(/^shdw_[0-9a-f]{40}$/);
  // The form is ready for the next one.
  await expect(page.getByTestId('token-name')).toHaveValue('');

  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  await expect(row).toContainText(secret.slice(0, 9));
  await expect(row).not.toContainText(secret.slice(9));
  await expect(row.getByTestId('token-status')).toHaveText('有效');
  expect(await serious(page)).toEqual([]);

  // A client reads the teaching studies with it; the list counts the request.
  const studies = await request.get('/dicom-web/studies', { headers: { Authorization: `Bearer ${secret}` } });
  expect(studies.status()).toBe(200);
  await expect(async () => {
    await page.reload();
    await hydrated(page);
    await expect(row.getByTestId('token-uses')).toHaveText('1', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });

  // Revoked, it is refused from the next request on.
  await row.getByTestId('token-revoke').click();
  await page.getByTestId('token-revoke-confirm').click();
  await expect(page.getByTestId('token-revoked')).toBeVisible();
  await expect(row.getByTestId('token-status')).toHaveText('已吊销');
  await expect(row.getByTestId('token-revoke')).toHaveCount(0);
  const refused = await request.get('/dicom-web/studies', { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
});
