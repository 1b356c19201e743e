// Sign-in as a person does it: the right sections per role, errors, redirects, languages.
import { expect, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

const SECTIONS: Record<string, string[]> = {
  'li.na': ['病例库', '课程', '指导回放', '实时指导', '能力档案', '扫查记录', '图像查看器'],
  'chen.jing': ['病例库', '影像库', '课程', '指导回放', '实时指导', '能力档案', '审阅队列', '图像查看器'],
  'zhou.min': ['病例库', '课程', '指导回放', '能力档案', '图像查看器', '人员'],
  admin: ['人员', '系统管理'],
};

for (const [user, sections] of Object.entries(SECTIONS)) {
  test(`${user} sees exactly the sections of their role`, async ({ page }) => {
    await signIn(page, user);
    const nav = page.getByRole('navigation', { name: '主导航' });
    await expect(nav.getByRole('link')).toHaveText(sections);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('您好');
  });
}

test('a wrong password shows the translated error and opens no session', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.locator('#username').fill('li.na');
  await page.locator('#password').fill('not-the-password');
  await page.locator('form button[type="submit"]').click();
  await expect(page.getByTestId('login-error')).toHaveText('用户名或密码不正确。');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=\//);
});

test('what is typed before the app has loaded is kept and signs in', async ({ page }) => {
  // Hold the wasm back, as a slow link does, until both fields are typed.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/login', { waitUntil: 'domcontentloaded' });
  await page.locator('#username').pressSequentially('li.na');
  await page.locator('#password').pressSequentially('sonohub-demo');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.locator('#username')).toHaveValue('li.na');
  await expect(page.locator('#password')).toHaveValue('sonohub-demo');
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('您好');
});

test('empty fields are caught in the browser before anything is sent', async ({ page }) => {
  let posted = false;
  page.on('request', (r) => {
    if (r.url().includes('/api/login')) posted = true;
  });
  await page.goto('/login');
  await hydrated(page);
  await page.locator('form button[type="submit"]').click();
  await expect(page.getByTestId('login-error')).toHaveText('请填写用户名和密码。');
  expect(posted).toBe(false);
});

test('a signed-out visit to a protected page goes to sign-in and back', async ({ page }) => {
  await page.goto('/people');
  await expect(page).toHaveURL(/\/login\?next=\/people$/);
  await signIn(page, 'zhou.min', undefined, '/people');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('人员');
  await expect(page.getByTestId('people-table')).toBeVisible();
});

test('the language switch changes the page and sticks across reload', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');
  await expect(page).toHaveTitle('SonoHub · 登录');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The page's title is read once on the server and follows the switch in the browser.
  await expect(page).toHaveTitle('SonoHub · Sign in');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(page).toHaveTitle('SonoHub · Sign in');
  await signIn(page, 'li.na');
  await expect(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link')).toHaveText([
    'Cases',
    'Courses',
    'Replays',
    'Guidance',
    'Competency',
    'Logbook',
    'Viewer',
  ]);
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '病例库' })).toBeVisible();
});

test('a language chosen on a nested page holds on every page after reload', async ({ page, context }) => {
  await signIn(page, 'zhou.min');
  // Chosen on /cases/outcomes: the cookie is the whole site's, not that path's.
  await page.goto('/cases/outcomes');
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page).toHaveTitle('SonoHub · Scores and outcomes');
  const cookie = (await context.cookies()).find((c) => c.value === 'en');
  expect(cookie?.path).toBe('/');
  // And it outlives the browser session.
  expect(cookie?.expires ?? -1).toBeGreaterThan(Date.now() / 1000 + 300 * 24 * 3600);
  for (const path of ['/cases/outcomes', '/', '/cases', '/people', '/profile']) {
    await page.goto(path);
    await expect(page.locator('html'), path).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('navigation', { name: 'Main navigation' }), path).toBeVisible();
  }
  // Switched back on another nested page, Chinese holds everywhere too.
  await page.goto('/cases/follow-ups');
  await hydrated(page);
  await page.getByRole('button', { name: '中文' }).click();
  for (const path of ['/cases/follow-ups', '/', '/cases/outcomes']) {
    await page.goto(path);
    await expect(page.locator('html'), path).toHaveAttribute('lang', 'zh');
  }
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, 'chen.jing');
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.waitForURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=\//);
});

test('after a link is followed, focus is on the new page heading, not on the old link', async ({ page }) => {
  await signIn(page, 'li.na');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '病例库' }).click();
  await page.waitForURL((url) => url.pathname === '/cases');
  await expect(page.locator('main h1')).toBeFocused();
  await expect(page).toHaveTitle('SonoHub · 病例库');
});

test('a session that ends while a page is open says so, offers sign-in back to the page, and the header stops claiming the user', async ({ page, context }) => {
  await signIn(page, 'li.na');
  await expect(page.getByTestId('user-chip')).toBeVisible();
  // The session ends on the server's side (expired, or signed out elsewhere).
  await context.clearCookies({ name: 'sonohub_session' });
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '病例库' }).click();
  const notice = page.locator('main [role="alert"]');
  await expect(notice).toContainText('请先登录');
  await expect(notice.getByRole('link', { name: '重新登录' })).toHaveAttribute('href', '/login?next=/cases');
  await expect(page.getByTestId('user-chip')).toHaveCount(0);
  await expect(page.locator('header a.header-sign-in')).toHaveAttribute('href', '/login?next=/cases');
});

test('an address that leads nowhere answers 404 with the way home', async ({ page }) => {
  await signIn(page, 'li.na');
  const unknown = await page.goto('/no/such/page');
  expect(unknown?.status()).toBe(404);
  // A case that does not exist: the same status (the page waits for the case before it
  // answers), its notice and the way home.
  const response = await page.goto('/cases/01234567-89ab-7def-8123-456789abcdef');
  expect(response?.status()).toBe(404);
  await hydrated(page);
  await expect(page.locator('main [role="alert"]')).toContainText('未找到：病例');
  await expect(page.locator('main [role="alert"] a')).toHaveAttribute('href', '/');
});
