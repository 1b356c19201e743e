// The case library end to end: an expert starts a case from a seeded study and submits it,
// a second expert publishes it, a learner finds it by a Chinese search, solves it as an
// unknown case and sees the reveal beside their answer.
import { expect, test } from '@playwright/test';
import { demoStudies, hydrated, signIn } from './helpers';

const TITLE = '脾破裂腹腔积血 eFAST 阳性';

test('an expert authors, another publishes, a learner finds and solves the case', async ({ browser }) => {
  test.setTimeout(180_000);
  // The author: a new case from the first anonymised study.
  const chen = await (await browser.newContext()).newPage();
  await signIn(chen, 'chen.jing');
  await demoStudies(chen);
  await chen.locator('[data-testid="library"] tbody tr a').first().click();
  await hydrated(chen);
  const form = chen.locator('[data-testid="new-case"]');
  await form.locator('input[name="title"]').fill(TITLE);
  await form.locator('select[name="application"] option[value="efast"]').waitFor({ state: 'attached' });
  await form.locator('select[name="application"]').selectOption('efast');
  await form.locator('button[type="submit"]').click();
  await chen.waitForURL(/\/cases\/[^/]+\/edit$/);
  await hydrated(chen);
  const caseUrl = chen.url().replace(/\/edit$/, '');

  // Submitting an empty draft names the first missing field.
  await chen.locator('[data-step="submit"]').click();
  await expect(chen.locator('.review-panel [role="alert"]')).toBeVisible();

  await chen.locator('textarea[name="history"]').fill('男，34岁，电动车侧翻后左上腹痛1小时，血压 92/58 mmHg，心率 118 次/分。');
  await chen.locator('textarea[name="findings"]').fill('肝肾间隙（Morison 窝）及脾周见无回声积液，最深约 18 mm；心包未见积液。');
  await chen.locator('textarea[name="impression"]').fill('eFAST 阳性：腹腔积液，结合外伤史考虑腹腔内出血，脾损伤可能。');
  await chen.locator('input[name="diagnosis"]').fill('脾破裂（III 级）伴腹腔积血');
  await chen.locator('textarea[name="choices"]').fill('eFAST 阴性\n腹腔积血（eFAST 阳性）\n气胸');
  await chen.locator('textarea[name="choices"]').press('Tab');
  await chen.locator('select[name="answer"]').selectOption('1');
  await chen.locator('[data-testid="save-case"]').click();
  await expect(chen.locator('[data-testid="saved"]')).toBeVisible();
  await chen.locator('[data-step="submit"]').click();
  await expect(chen.locator('[data-testid="case-status"]')).toHaveText('审核中');
  // The author cannot approve their own case: no publish button for them.
  await expect(chen.locator('[data-step="publish"]')).toHaveCount(0);

  // The reviewer publishes it from the workbench.
  const wang = await (await browser.newContext()).newPage();
  await signIn(wang, 'wang.lei');
  await wang.goto('/cases/work');
  await hydrated(wang);
  await wang.locator('[data-status="in_review"] .case-card', { hasText: TITLE }).locator('a').click();
  await hydrated(wang);
  // Only the author edits: the reviewer's form is read-only.
  await expect(wang.locator('textarea[name="history"]')).toBeDisabled();
  await wang.locator('[data-step="publish"]').click();
  await expect(wang.locator('[data-testid="case-status"]')).toHaveText('已发布');

  // The learner finds it by a Chinese substring and solves it as an unknown case.
  const learner = await (await browser.newContext()).newPage();
  await signIn(learner, 'li.na');
  await learner.goto('/cases');
  await hydrated(learner);
  await learner.locator('[data-testid="case-search-text"]').fill('腹腔积血');
  await learner.locator('[data-testid="case-search-submit"]').click();
  await learner.waitForURL(/\/cases\?q=/);
  await hydrated(learner);
  const hit = learner.locator('[data-testid="case-results"] .case-card', { hasText: TITLE });
  await expect(hit).toHaveCount(1);
  await hit.locator('a').first().click();
  await learner.waitForURL(caseUrl);
  await hydrated(learner);
  await expect(learner.locator('[data-testid="case-title"]')).toHaveText(TITLE);
  await learner.locator('[data-testid="solve-link"]').click();
  await learner.waitForURL(/\/solve$/);
  await hydrated(learner);
  // Only history and clips before committing.
  await expect(learner.locator('[data-testid="history"]')).toContainText('电动车侧翻');
  await expect(learner.locator('body')).not.toContainText('脾破裂（III 级）');
  await learner.locator('[data-testid="answer-impression"]').fill('腹腔内游离积液，考虑实质脏器破裂出血');
  await learner.locator('[data-testid="answer-choice"] input[value="1"]').check();
  await learner.locator('[data-testid="answer-submit"]').click();
  const reveal = learner.locator('[data-testid="reveal"]');
  await expect(reveal).toBeVisible();
  await expect(learner.locator('[data-testid="verdict"]')).toHaveAttribute('data-correct', 'true');
  await expect(learner.locator('[data-testid="reveal-mine"]')).toContainText('实质脏器破裂');
  await expect(reveal.locator('[data-testid="diagnosis"]')).toContainText('脾破裂（III 级）');
  await expect(reveal.locator('.viewer')).toHaveAttribute('data-ready', 'true');
});
