// A course as a training coordinator builds it: a new course with a reading, a module that
// needs the first one and holds an annotated clip and a quiz; a lesson without a title is
// refused at its place; saved, published (a learner finds it and enrols), taken out of the
// catalogue again.
import { expect, Page, test } from '@playwright/test';
import { hydrated, serious, signIn } from './helpers';

const TITLE = `床旁超声入门 ${Date.now()}`;

/** The course editor of a new course, once the demo's published clips and quizzes are in. */
async function newCourse(page: Page) {
  await expect(async () => {
    await page.goto('/courses');
    await hydrated(page);
    await page.getByTestId('new-course').click();
    await page.waitForURL(/\/courses\/new\/edit$/);
    await hydrated(page);
    await page.getByTestId('lesson-kind-0-0').selectOption('quiz');
    await expect(page.getByTestId('lesson-quiz-0-0').locator('option')).not.toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  await page.getByTestId('lesson-kind-0-0').selectOption('reading');
}

test('a coordinator builds, publishes and withdraws a course; a learner enrols on it', async ({ page, browser }) => {
  await signIn(page, 'zhou.min');
  await newCourse(page);
  await expect(page.getByTestId('course-status')).toHaveText('新课程，尚未保存');
  await page.getByTestId('course-title').fill(TITLE);
  await page.getByTestId('self-enrol').check();
  await page.getByTestId('module-title-0').fill('基础');
  await page.getByTestId('lesson-title-0-0').fill('切面');
  await page.getByTestId('lesson-markdown-0-0').fill('# 右上腹\n\n**肝肾隐窝**是最低处。');

  // Module 2, after module 1: a clip annotated on the viewer, then a quiz.
  await page.getByTestId('add-module').click();
  await page.getByTestId('module-title-1').fill('eFAST 实操');
  await page.getByTestId('module-1').getByRole('checkbox', { name: /模块 1 · 基础/ }).check();
  await page.getByTestId('lesson-kind-1-0').selectOption('clip');
  await page.getByTestId('lesson-title-1-0').fill('积液片段');
  await page.getByTestId('annotate-1-0').click();
  const viewer = page.getByTestId('lesson-annotator').locator('.viewer');
  await expect(viewer).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await page.getByTestId('lesson-annotator').getByRole('button', { name: '椭圆', exact: true }).click();
  await viewer.locator('canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = (await viewer.locator('canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.45);
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.up();
  await expect(page.getByTestId('lesson-1-0')).toContainText('1 处标注');
  await page.getByTestId('add-lesson-1').click();
  await page.getByTestId('lesson-kind-1-1').selectOption('quiz');

  // The quiz lesson has no title yet: refused, and the lesson is marked.
  await page.getByTestId('save-course').click();
  await expect(page.getByTestId('course-error')).toContainText('模块 2');
  await expect(page.getByTestId('course-error')).toContainText('课时 2');
  await expect(page.getByTestId('lesson-1-1')).toHaveClass(/has-fault/);
  await expect(page).toHaveURL(/\/courses\/new\/edit$/);

  await page.getByTestId('lesson-title-1-1').fill('eFAST 测验');
  await page.getByTestId('save-course').click();
  await page.waitForURL((url) => /^\/courses\/[^/]+\/edit$/.test(url.pathname) && !url.pathname.includes('/new/'));
  await hydrated(page);
  const editor = page.url();
  const id = new URL(editor).pathname.split('/')[2];
  await expect(page.getByTestId('course-status')).toHaveText('草稿：尚未发布，学员看不到');
  // What was saved is what opens again, annotation included.
  await expect(page.getByTestId('module-title-1')).toHaveValue('eFAST 实操');
  await expect(page.getByTestId('lesson-1-0')).toContainText('1 处标注');
  expect(await serious(page)).toEqual([]);

  await page.getByTestId('publish-course').click();
  await expect(page.getByTestId('course-status')).toHaveText('已发布第 1 版，学员可在课程目录中看到');

  // A learner finds it, enrols, and the second module waits for the first.
  const learner = await browser.newPage();
  await signIn(learner, 'liu.yang');
  await learner.goto(`/courses/${id}`);
  await hydrated(learner);
  await learner.getByTestId('enrol').click();
  await expect(learner.getByTestId('course-progress-text')).toContainText('0 / 3');
  await expect(learner.locator('[data-module="m2"]')).toHaveAttribute('data-state', 'locked');

  // Taken out of the catalogue: the enrolled learner keeps it, others no longer see it.
  await page.getByTestId('unpublish-course').click();
  await expect(page.getByTestId('course-status')).toContainText('已下架');
  await learner.goto('/courses');
  await hydrated(learner);
  await expect(learner.getByTestId('my-courses')).toContainText(TITLE);
  const other = await browser.newPage();
  await signIn(other, 'zhang.wei');
  await other.goto('/courses');
  await hydrated(other);
  await expect(other.locator('main')).not.toContainText(TITLE);
});

test('the course editor reads well on a phone and in English', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signIn(page, 'chen.jing');
  await newCourse(page);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide).toBeLessThanOrEqual(0);
  expect(await serious(page)).toEqual([]);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('save-course')).toHaveText('Save');
  expect(await serious(page)).toEqual([]);
});
