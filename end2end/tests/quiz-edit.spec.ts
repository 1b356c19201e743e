// The quiz editor as a course author uses it: a new quiz made from the demo bank (two fixed
// questions and a random draw, one moved up the list), Moodle's settings and review options
// set, saved, read back after a reload and found on /quizzes; a pass mark over 100 refused with
// the field named; a quiz without questions refused.
import { expect, Page, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

/** Waits until the demo has seeded its question bank (in the background after the start). */
async function demoBank(page: Page) {
  await expect(async () => {
    const bank = await (await page.request.post('/api/question_bank', { form: {} })).json();
    expect(bank.length).toBeGreaterThan(40);
  }).toPass({ timeout: 180_000 });
}

test('an author makes a quiz from the bank and it keeps its questions and settings', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, 'chen.jing');
  await demoBank(page);
  const title = `eFAST 与气胸小测 ${Date.now()}`;

  await page.goto('/quizzes');
  await hydrated(page);
  await expect(page.getByTestId('question-bank-link')).toHaveAttribute('href', '/questions');
  await page.getByTestId('new-quiz').click();
  await page.waitForURL((url) => url.pathname === '/quizzes/new/edit');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建测验');
  await expect(page.getByTestId('no-picks')).toBeVisible();
  await page.getByTestId('quiz-title').fill(title);

  // Two fixed questions, each chosen from the bank narrowed to one application.
  await page.getByTestId('add-fixed').click();
  const first = page.getByTestId('pick-0');
  await first.getByTestId('pick-filter').selectOption('efast');
  await first.getByTestId('pick-question').selectOption({ index: 1 });
  const efastQuestion = await first.getByTestId('pick-question').inputValue();
  expect(efastQuestion).not.toBe('');
  await expect(first.getByTestId('pick-about')).toContainText('eFAST');

  await page.getByTestId('add-fixed').click();
  const second = page.getByTestId('pick-1');
  await second.getByTestId('pick-filter').selectOption('lung');
  await second.getByTestId('pick-question').selectOption({ index: 1 });
  const lungQuestion = await second.getByTestId('pick-question').inputValue();
  expect(lungQuestion).not.toBe('');
  expect(lungQuestion).not.toBe(efastQuestion);
  await expect(second.getByTestId('pick-about')).toContainText('肺超声');

  // A random draw from the AAA questions, moved up to second place.
  await page.getByTestId('add-random').click();
  const third = page.getByTestId('pick-2');
  await expect(third).toHaveAttribute('data-pick', 'random');
  await third.getByTestId('pick-application').selectOption('aaa');
  await expect(third.getByTestId('pick-pool')).toContainText('道题可供抽取');
  await third.getByRole('button', { name: '上移（第 3 题）' }).click();
  await expect(page.getByTestId('pick-1')).toHaveAttribute('data-pick', 'random');
  await expect(page.getByTestId('pick-2').getByTestId('pick-question')).toHaveValue(lungQuestion);
  await expect(page.getByTestId('pick-0').getByRole('button', { name: '上移（第 1 题）' })).toBeDisabled();

  await page.getByTestId('attempts').fill('2');
  await page.getByTestId('grading').selectOption('last');
  await page.getByTestId('time-limit').fill('20');
  await page.getByTestId('pass-mark').fill('75');
  await page.getByTestId('shuffle-options').check();
  await page.getByTestId('review-later-right-answer').uncheck();
  await expect(page.getByTestId('quiz-unsaved')).toBeVisible();

  // Saved, the new quiz is edited at its own address.
  await page.getByTestId('quiz-save').click();
  await page.waitForURL(/\/quizzes\/[0-9a-f-]{36}\/edit$/);
  const editUrl = page.url();
  await expect(page.getByTestId('quiz-saved')).toHaveText('已保存');
  await expect(page.getByTestId('quiz-analysis')).toHaveAttribute('href', /\/quizzes\/[0-9a-f-]{36}\/analysis$/);

  // Read back from the server, everything is as it was set.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByTestId('quiz-title')).toHaveValue(title);
  await expect(page.locator('li[data-pick]')).toHaveCount(3);
  await expect(page.getByTestId('pick-0')).toHaveAttribute('data-pick', 'fixed');
  await expect(page.getByTestId('pick-0').getByTestId('pick-question')).toHaveValue(efastQuestion);
  await expect(page.getByTestId('pick-1')).toHaveAttribute('data-pick', 'random');
  await expect(page.getByTestId('pick-1').getByTestId('pick-application')).toHaveValue('aaa');
  await expect(page.getByTestId('pick-1').getByTestId('pick-topic')).toHaveValue('');
  await expect(page.getByTestId('pick-2')).toHaveAttribute('data-pick', 'fixed');
  await expect(page.getByTestId('pick-2').getByTestId('pick-question')).toHaveValue(lungQuestion);
  await expect(page.getByTestId('attempts')).toHaveValue('2');
  await expect(page.getByTestId('grading')).toHaveValue('last');
  await expect(page.getByTestId('time-limit')).toHaveValue('20');
  await expect(page.getByTestId('pass-mark')).toHaveValue('75');
  await expect(page.getByTestId('shuffle-questions')).not.toBeChecked();
  await expect(page.getByTestId('shuffle-options')).toBeChecked();
  await expect(page.getByTestId('review-later-right-answer')).not.toBeChecked();
  await expect(page.getByTestId('review-immediately-right-answer')).toBeChecked();
  await expect(page.getByTestId('review-after-close-explanation')).toBeChecked();
  await expect(page.getByTestId('quiz-unsaved')).toHaveCount(0);

  // A pass mark over 100 is refused, the field named in the page's language, and not saved.
  await page.getByTestId('pass-mark').fill('150');
  await page.getByTestId('quiz-save').click();
  await expect(page.getByTestId('quiz-error')).toContainText('及格线');
  await expect(page.getByTestId('quiz-saved')).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('pass-mark')).toHaveValue('75');

  // The quiz is listed with its three places, and its row leads back to the editor.
  await page.getByTestId('back-to-quizzes').click();
  await page.waitForURL((url) => url.pathname === '/quizzes');
  const row = page.getByTestId('quiz-row').filter({ hasText: title });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').first()).toHaveText('3');
  await expect(row.getByRole('link', { name: title, exact: true })).toHaveAttribute('href', /\/analysis$/);
  await row.getByTestId('quiz-edit').click();
  await page.waitForURL(editUrl);
  await expect(page.getByTestId('quiz-title')).toHaveValue(title);
});

test('a coordinator cannot save a quiz without questions', async ({ page }) => {
  await signIn(page, 'zhou.min');
  await page.goto('/quizzes');
  await hydrated(page);
  await page.getByTestId('new-quiz').click();
  await page.waitForURL((url) => url.pathname === '/quizzes/new/edit');
  await page.getByTestId('quiz-title').fill('没有题目的测验');
  await page.getByTestId('quiz-save').click();
  await expect(page.getByTestId('quiz-error')).toHaveText('题目：必填');
  await expect(page).toHaveURL(/\/quizzes\/new\/edit$/);
  // A fixed place left without its question is named by its number.
  await page.getByTestId('add-fixed').click();
  await page.getByTestId('quiz-save').click();
  await expect(page.getByTestId('quiz-error')).toHaveText('第 1 题：必填');
});
