// The question bank as an expert writes it: a single-answer question and a hotspot question
// drawn on a published clip, both saved and listed in the bank; a question without its text
// is refused with the field named.
import { expect, Page, test } from '@playwright/test';
import { hydrated, serious, signIn } from './helpers';

// Tall enough that the clip's middle is on screen above the sticky save bar.
test.use({ viewport: { width: 1280, height: 1200 } });

/** A stem no other test or demo question has. */
const unique = (what: string) => `${what} ${Date.now().toString(36)}`;

/** Opens the editor for a new question, once the demo has published the library's clips. */
async function newQuestion(page: Page) {
  await expect(async () => {
    await page.goto('/questions/new/edit');
    await hydrated(page);
    // The first entry is the "choose a clip" prompt: wait for published clips after it.
    await page.getByTestId('question-kind').selectOption('hotspot');
    expect(await page.getByTestId('question-clip').locator('option').count()).toBeGreaterThan(1);
  }).toPass({ timeout: 120_000 });
  await page.getByTestId('question-kind').selectOption('single');
  await expect(page.getByTestId('option-text-0')).toBeVisible();
}

/** Saves a new question and waits for the editor to move to its own address. */
async function saveNew(page: Page): Promise<string> {
  await page.getByTestId('question-save').click();
  await page.waitForURL(/\/questions\/(?!new\/)[^/]+\/edit\?saved=1$/);
  await hydrated(page);
  await expect(page.getByTestId('question-saved')).toBeVisible();
  return new URL(page.url()).pathname;
}

/** The bank's row for the question with `stem`. */
async function bankRow(page: Page, stem: string) {
  await page.goto('/questions');
  await hydrated(page);
  return page.getByTestId('question-row').filter({ hasText: stem });
}

test('an expert writes a single-answer question and finds it in the bank', async ({ page }) => {
  await signIn(page, 'chen.jing');
  await page.goto('/questions');
  await hydrated(page);
  expect(await serious(page)).toEqual([]);
  await page.getByTestId('new-question').click();
  await page.waitForURL(/\/questions\/new\/edit$/);
  await newQuestion(page);
  expect(await serious(page)).toEqual([]);

  const stem = unique('仰卧位少量腹腔游离液体最先积聚于何处？');
  await page.getByTestId('question-application').selectOption('efast');
  await page.getByTestId('question-topic').fill('morison');
  await page.getByTestId('question-stem').fill(stem);
  await page.getByTestId('question-explanation').fill('仰卧位时肝肾隐窝（Morison 陷窝）是上腹腔最低处。');
  const options = ['脾肾隐窝', '盆腔', '肝肾隐窝', '心包腔'];
  for (const [i, text] of options.entries()) await page.getByTestId(`option-text-${i}`).fill(text);
  await page.getByTestId('option-right-2').check();
  await expect(page.getByTestId('option-right-0')).not.toBeChecked();

  const path = await saveNew(page);
  // Reopened from the server, the question is as written.
  await expect(page.getByTestId('question-stem')).toHaveValue(stem);
  await expect(page.getByTestId('option-text-2')).toHaveValue(options[2]);
  await expect(page.getByTestId('option-right-2')).toBeChecked();

  const row = await bankRow(page, stem);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('单选题');
  await expect(row).toContainText('morison');
  expect(await row.getByTestId('question-edit').getAttribute('href')).toBe(path);

  // The application filter keeps it under eFAST.
  await page.getByTestId('bank-application').selectOption('efast');
  await expect(page.getByTestId('question-row').filter({ hasText: stem })).toHaveCount(1);
});

test('an expert draws a hotspot question on a published clip', async ({ page }) => {
  await signIn(page, 'chen.jing');
  await newQuestion(page);
  const stem = unique('请在图中点击游离液体');
  await page.getByTestId('question-application').selectOption('efast');
  await page.getByTestId('question-stem').fill(stem);
  await page.getByTestId('question-kind').selectOption('hotspot');
  await expect(page.getByTestId('option-text-0')).toHaveCount(0);
  // The stem is kept when the kind changes.
  await expect(page.getByTestId('question-stem')).toHaveValue(stem);
  await page.getByTestId('question-clip').selectOption({ index: 1 });
  const viewer = page.locator('.viewer');
  await expect(viewer).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('hotspot-targets')).toHaveText('已设置 0 个热区');

  // An ellipse dragged out from the middle of the image, a tenth of its size in radius.
  await page.getByRole('button', { name: '椭圆', exact: true }).click();
  const canvas = viewer.locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const [width, height] = await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
  const box = (await canvas.boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x * box.width) / width, box.y + (y * box.height) / height];
  const [ax, ay] = at(width / 2, height / 2);
  const [bx, by] = at(width * 0.6, height * 0.6);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2);
  await page.mouse.move(bx, by);
  await page.mouse.up();
  await expect(page.getByTestId('hotspot-targets')).toHaveText('已设置 1 个热区');

  await saveNew(page);
  // Reopened, the target is back on the clip it was drawn on.
  await expect(page.getByTestId('hotspot-targets')).toHaveText('已设置 1 个热区');
  await expect(page.getByTestId('question-clip')).not.toHaveValue('');

  const row = await bankRow(page, stem);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('热区题');
});

test('a question without its text is refused with the field named', async ({ page }) => {
  await signIn(page, 'chen.jing');
  await newQuestion(page);
  for (const [i, text] of ['A 线', 'B 线'].entries()) await page.getByTestId(`option-text-${i}`).fill(text);
  await page.getByTestId('option-remove-3').click();
  await page.getByTestId('option-remove-2').click();
  await expect(page.getByTestId('option-text-2')).toHaveCount(0);
  await page.getByTestId('question-save').click();
  await expect(page.getByTestId('question-error')).toHaveText('题干：必填');
  await expect(page.getByTestId('question-stem')).toHaveAttribute('aria-invalid', 'true');
  // Nothing was created: the editor stays on the new question.
  expect(new URL(page.url()).pathname).toBe('/questions/new/edit');
});
