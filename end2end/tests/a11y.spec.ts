// axe-core (WCAG 2.1 A and AA rules) on every page of every role, in both languages: a serious
// or critical violation fails the test. Pages added later belong in PAGES.
import { expect, Page, test } from '@playwright/test';
import { demoStudies, hydrated, serious, signIn } from './helpers';

// CASE is a published library case, STUDY an anonymised study, REPLAY a published demo
// replay: found at run time.
const PAGES: Record<string, string[]> = {
  'li.na': ['/', '/cases', 'CASE', 'CASE/solve', '/viewer', '/profile', '/notifications',
    '/courses', 'COURSE', 'COURSE/lessons/efast-reading', 'COURSE/lessons/efast-clip',
    'COURSE/lessons/efast-quiz', 'ATTEMPT', '/replays', 'REPLAY', '/guidance', '/competency', '/logbook', '/logbook/new'],
  'chen.jing': ['/', '/studies', 'STUDY', '/quarantine', '/cases/work', '/cases/follow-ups',
    '/cases/outcomes', 'CASE/edit', 'CASE/versions', '/questions', '/questions/new/edit',
    '/courses/new/edit', '/replays', '/replays/new', 'REPLAY', '/guidance', '/competency', '/review'],
  'zhou.min': ['/', '/people', '/courses', 'COURSE', 'COURSE/edit', '/quizzes', 'QUIZ',
    '/quizzes/new/edit', '/questions', '/competency', '/competency/quality', '/competency/rules',
    '/competency/applications', '/verify'],
  admin: ['/', '/admin', '/admin/audit', '/admin/sites', '/admin/archive', '/admin/device-masks',
    '/admin/dicomweb-tokens',
    '/people'],
};

async function firstCase(page: Page): Promise<string> {
  let href: string | null = null;
  await expect(async () => {
    await page.goto('/cases');
    await hydrated(page);
    href = await page.locator('a.case-card-link').first().getAttribute('href', { timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  return href!;
}

/** The demo's Chinese course (seeded after the case library). */
async function demoCourse(page: Page): Promise<string> {
  let href: string | null = null;
  await expect(async () => {
    await page.goto('/courses');
    await hydrated(page);
    href = await page.locator('main .course-card a', { hasText: '急诊超声基础' }).getAttribute('href', { timeout: 1000 });
  }).toPass({ timeout: 180_000 });
  return href!;
}

/** The first published replay in the list (the demo seeds three after its courses). */
async function demoReplay(page: Page): Promise<string> {
  let href: string | null = null;
  await expect(async () => {
    await page.goto('/replays');
    await hydrated(page);
    href = await page.locator('main a[href^="/replays/"]:not([href$="/new"])').first().getAttribute('href', { timeout: 1000 });
  }).toPass({ timeout: 180_000 });
  return href!;
}

/** The item analysis of the demo's eFAST quiz. */
async function demoQuiz(page: Page): Promise<string> {
  await page.goto('/quizzes');
  await hydrated(page);
  return (await page.locator('main table a', { hasText: 'eFAST 测验' }).getAttribute('href'))!;
}

/** An attempt at the course's eFAST quiz (the open one if there is). */
async function openAttempt(page: Page, course: string): Promise<string> {
  const id = course.split('/').pop()!;
  const lesson = await (await page.request.post('/api/course_lesson', { form: { course: id, lesson: 'efast-quiz' } })).json();
  const started = await page.request.post('/api/start_attempt', { data: { quiz: lesson.page.quiz_id, course: id, lesson: 'efast-quiz' } });
  return `/attempts/${await started.json()}`;
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
      // The public verification page, signed out.
      await scan(page, '/verify', lang);
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
        const course = paths.some((p) => p.startsWith('COURSE')) ? await demoCourse(page) : '';
        const quiz = paths.includes('QUIZ') ? await demoQuiz(page) : '';
        const attempt = paths.includes('ATTEMPT') ? await openAttempt(page, course) : '';
        const replay = paths.includes('REPLAY') ? await demoReplay(page) : '';
        for (const p of paths) {
          const path = p.replace('CASE', kase).replace('STUDY', study).replace('COURSE', course)
            .replace('QUIZ', quiz).replace('ATTEMPT', attempt).replace('REPLAY', replay);
          await scan(page, path, lang);
        }
      });
    }
  });
}
