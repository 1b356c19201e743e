// Takes screenshots of the main pages for review: node screenshots.mjs BASE_URL OUT_DIR [PREFIX]
// (with PREFIX, only the shots whose name starts with it).
import { launch, signIn } from './browse.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const out = process.argv[3] ?? '../target/screenshots';
const only = process.argv[4];
const skip = (name) => only && !name.startsWith(only);
const browser = await launch();

async function shoot(name, { locale = 'zh-CN', user, path = '/', viewport = { width: 1280, height: 800 } } = {}) {
  if (skip(name)) return;
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  if (user) {
    await signIn(page, base, user);
  }
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  await context.close();
  console.log(`${out}/${name}.png`);
}

await shoot('login-zh', { path: '/login' });
await shoot('login-en', { path: '/login', locale: 'en-GB' });
await shoot('home-learner', { user: 'li.na' });
await shoot('home-coordinator', { user: 'zhou.min' });
await shoot('people-admin', { user: 'admin', path: '/people' });
await shoot('sites-admin-en', { user: 'admin', path: '/admin/sites', locale: 'en-GB' });
async function viewer(name, locale, phone = false) {
  if (skip(name)) return;
  const context = await browser.newContext({ locale, viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, base, 'chen.jing');
  await page.goto(`${base}/viewer`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.click('button[data-clip="vessel-jpeg-640x480.dcm"]');
  await page.waitForSelector('.viewer[data-ready="true"]');
  await page.waitForSelector('.viewer[data-decoded-ms]');
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator('.viewer canvas').boundingBox();
  const at = (x, y) => [box.x + (x * box.width) / 640, box.y + (y * box.height) / 480];
  // Draw an arrow and a label with the drawing tools (second tool group).
  const draw = page.locator('.viewer-controls [role="group"]').nth(1).locator('button');
  await draw.nth(0).click();
  await page.mouse.move(...at(480, 120));
  await page.mouse.down();
  await page.mouse.move(...at(430, 170));
  await page.mouse.move(...at(380, 220));
  await page.mouse.up();
  await draw.nth(3).click();
  await page.mouse.click(...at(470, 105));
  await page.locator('.ann-list li:last-child input.ann-label').click();
  await page.keyboard.type(locale.startsWith('zh') ? '血管后壁' : 'far wall');
  await page.keyboard.press('Enter');
  await page.locator('.viewer-controls [role="group"]').nth(0).locator('button').nth(1).click();
  await page.mouse.click(...at(220, 300));
  await page.mouse.click(...at(420, 300));
  await page.click('[data-testid="play"]');
  await page.waitForTimeout(1200);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  await context.close();
  console.log(`${out}/${name}.png`);
}

await viewer('viewer-playing-zh', 'zh-CN');
await viewer('viewer-playing-en', 'en-GB');
await viewer('viewer-phone', 'zh-CN', true);
await shoot('audit-admin', { user: 'admin', path: '/admin/audit' });
await shoot('home-learner-phone', { user: 'li.na', viewport: { width: 390, height: 844 } });

// Studies: the expert's library and a clip imported through anonymisation, banner blacked out.
async function study(name, locale) {
  if (skip(name)) return;
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, base, 'chen.jing');
  for (let i = 0; i < 60; i++) {
    await page.goto(`${base}/studies`);
    await page.waitForSelector('body[data-hydrated="true"]');
    if ((await page.locator('[data-testid="library"] tbody tr').count()) >= 4) break;
    await page.waitForTimeout(1000);
  }
  await page.screenshot({ path: `${out}/${name}-list.png`, fullPage: true });
  console.log(`${out}/${name}-list.png`);
  await page.locator('[data-testid="library"] tbody tr a').first().click();
  await page.waitForSelector('.viewer[data-ready="true"]');
  await page.getByTestId('play').click();
  await page.waitForTimeout(700);
  await page.getByTestId('play').click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${out}/${name}-clip.png`, fullPage: true });
  console.log(`${out}/${name}-clip.png`);
  await context.close();
}
await study('studies-zh', 'zh-CN');
await study('studies-en', 'en-GB');
await shoot('archive-admin-en', { user: 'admin', path: '/admin/archive', locale: 'en-GB' });
/** Signs `user` in on a fresh page and returns it. */
async function signedIn(user, locale, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  await signIn(page, base, user);
  return page;
}

async function snap(page, name) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  console.log(`${out}/${name}.png`);
}

/** The case library: search in Chinese, a case page with its viewer and timeline, the
 * unknown-case reveal, curation and the outcome tables. */
async function cases(name, locale) {
  if (skip(name)) return;
  const page = await signedIn('li.na', locale);
  await page.goto(`${base}/cases`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await snap(page, `${name}-library`);
  await page.goto(`${base}/cases?q=${encodeURIComponent('结节')}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await snap(page, `${name}-search`);
  // The case with a consultation thread (the most discussed one) with its clip playing a frame.
  await page.goto(`${base}/cases?sort=discussed`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.locator('[data-testid="case-results"] .case-card a.case-card-link').first().click();
  await page.waitForSelector('.viewer[data-ready="true"]');
  const ref = page.locator('.frame-ref').first();
  if (await ref.count()) await ref.click();
  await page.waitForTimeout(600);
  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, `${name}-case`);
  // Unknown-case mode on a thyroid case: commit, then the reveal.
  await page.goto(`${base}/cases?app=thyroid&path=yes`);
  await page.waitForSelector('body[data-hydrated="true"]');
  const href = await page.locator('[data-testid="case-results"] .case-card a.case-card-link').first().getAttribute('href');
  await page.goto(`${base}${href}/solve`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.waitForSelector('.viewer[data-ready="true"]');
  await snap(page, `${name}-unknown`);
  await page.fill('[data-testid="answer-impression"]', '右叶实性低回声结节，边缘不规则，考虑乳头状癌可能');
  await page.locator('[data-testid="answer-tirads"] input[value="4"]').check();
  await page.click('[data-testid="answer-submit"]');
  await page.waitForSelector('[data-testid="reveal"] .viewer[data-ready="true"]');
  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, `${name}-reveal`);
  await page.goto(`${base}/cases/outcomes`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await snap(page, `${name}-outcomes`);
  await page.context().close();

  const expert = await signedIn('wang.lei', locale);
  await expert.goto(`${base}/cases/work`);
  await expert.waitForSelector('body[data-hydrated="true"]');
  await snap(expert, `${name}-workbench`);
  const review = expert.locator('[data-status="in_review"] .case-card a.case-card-link').first();
  if (await review.count()) {
    await review.click();
    await expert.waitForSelector('[data-testid="review-panel"]');
    await expert.waitForSelector('.viewer[data-ready="true"]');
    await snap(expert, `${name}-review`);
  }
  await expert.goto(`${base}/cases/follow-ups`);
  await expert.waitForSelector('body[data-hydrated="true"]');
  await snap(expert, `${name}-awaiting`);
  await expert.goto(`${base}/notifications`);
  await expert.waitForSelector('body[data-hydrated="true"]');
  await snap(expert, `${name}-notifications`);
  await expert.context().close();
}
await cases('cases-zh', 'zh-CN');
await cases('cases-en', 'en-GB');
await browser.close();
