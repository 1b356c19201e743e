// The scan logbook and expert review: a learner logs a carotid scan with a clip uploaded from
// the machine and submits it; an expert finds it in the review queue, grades it beside the
// clip and submits; the learner reads the grade and the feedback.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hydrated, signIn, SONOHUB } from './helpers';

const sonohub = SONOHUB;

function yesterday(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

test('a learner logs a scan, an expert grades it, the learner reads the feedback', async ({ browser }) => {
  test.setTimeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonohub-logbook-'));
  const clip = path.join(dir, 'carotid-logbook.dcm');
  execFileSync(sonohub, ['dicom', 'synth', '--out', clip, '--frames', '6', '--width', '320', '--height', '240', '--syntax', 'rle', '--seed', '91']);

  const learner = await browser.newPage();
  await signIn(learner, 'li.na');
  await learner.goto('/logbook');
  await hydrated(learner);
  await expect(learner.getByRole('heading', { level: 1 })).toHaveText('扫查记录');
  await expect(learner.locator('header nav a[href="/logbook"]')).toHaveText('扫查记录');

  // The editor: the application's own questions, a clip uploaded through the import pipeline.
  await learner.getByTestId('log-scan').click();
  await learner.waitForURL((url) => url.pathname === '/logbook/new');
  await hydrated(learner);
  await expect(learner.getByRole('heading', { level: 1 })).toHaveText('记录新扫查');
  const editor = learner.getByTestId('entry-form');
  await editor.getByTestId('entry-application').selectOption('carotid');
  await editor.getByTestId('entry-date').fill(yesterday());
  await editor.getByTestId('entry-indication').fill('头晕，颈动脉筛查');
  await editor.locator('[data-field="plaque"] input[value="无 none"]').check();
  await editor.locator('[data-field="stenosis"] input[value="正常 normal"]').check();
  // Nothing goes to review without a clip: the refusal names the clips and keeps the editor.
  await editor.getByTestId('submit-entry').click();
  await expect(editor.getByTestId('entry-clips').locator('.field-error')).toHaveText('必填');
  await expect(editor.getByTestId('entry-indication')).toHaveValue('头晕，颈动脉筛查');
  await editor.getByTestId('entry-files').setInputFiles(clip);
  await editor.getByTestId('entry-upload').click();
  await expect(editor.getByTestId('upload-state')).toContainText('已加入 1 个动态图像', { timeout: 60_000 });
  await expect(editor.getByTestId('attached-clips').locator('li')).toHaveCount(1);
  await expect(editor.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  // The upload saved a draft: its address is known, and a reload keeps the clip and answers.
  await editor.getByTestId('save-draft').click();
  await expect(editor.getByTestId('draft-saved')).toBeVisible();
  await learner.waitForURL(/\/logbook\/[0-9a-f-]+\/edit$/);
  const id = new URL(learner.url()).pathname.split('/')[2];
  await learner.reload();
  await hydrated(learner);
  await expect(learner.getByRole('heading', { level: 1 })).toHaveText('编辑扫查草稿');
  await expect(learner.getByTestId('attached-clips').locator('li')).toHaveCount(1);
  await expect(learner.locator('[data-field="stenosis"] input[value="正常 normal"]')).toBeChecked();
  await learner.getByTestId('submit-entry').click();
  await learner.waitForURL((url) => url.pathname === `/logbook/${id}`);

  await learner.goto('/logbook');
  await hydrated(learner);
  const row = learner.locator(`[data-testid="logbook"] tr[data-entry="${id}"]`);
  await expect(row).toHaveAttribute('data-status', 'submitted');
  await expect(row).toContainText('待审阅');

  const expert = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await signIn(expert, 'chen.jing');
  await expect(expert.locator('header nav a[href="/review"]')).toHaveText('审阅队列');
  await expert.goto('/review');
  await hydrated(expert);
  await expert.locator(`[data-testid="queue"] tr[data-entry="${id}"] a`).click();
  await expert.waitForURL((url) => url.pathname === `/logbook/${id}`);
  await hydrated(expert);
  await expect(expert.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  const form = expert.getByTestId('review-form');
  // Every grade with the ACEP wording at that grade.
  await expect(form.locator('input[name="grade"]')).toHaveCount(5);
  await expect(form.locator('.grade-option').nth(2)).toContainText('达到诊断的最低标准');
  await expert.getByTestId('grade-4').check();
  // The expert sees a plaque the learner did not: the proposal is a missed finding.
  await form.locator('[data-field="plaque"] input[value="有 present"]').check();
  await form.locator('[data-field="stenosis"] input[value="<50%"]').check();
  await expect(expert.getByTestId('review-verdict')).toHaveValue('missed_finding');
  await expert.getByTestId('review-feedback-input').fill('颈动脉分叉处可见小斑块，请注意纵切面扫查。');
  await expert.getByTestId('review-submit').click();
  await expert.waitForURL((url) => url.pathname === '/review');
  await hydrated(expert);
  await expect(expert.locator(`[data-testid="queue"] tr[data-entry="${id}"]`)).toHaveCount(0);

  await learner.goto(`/logbook/${id}`);
  await hydrated(learner);
  const review = learner.getByTestId('review');
  await expect(review.getByTestId('review-grade')).toContainText('4');
  await expect(review.getByTestId('review-verdict')).toContainText('漏诊阳性发现');
  await expect(review.getByTestId('review-feedback')).toHaveText('颈动脉分叉处可见小斑块，请注意纵切面扫查。');
  await learner.goto('/logbook');
  await hydrated(learner);
  await expect(learner.locator(`[data-testid="logbook"] tr[data-entry="${id}"]`)).toHaveAttribute('data-status', 'reviewed');
});
