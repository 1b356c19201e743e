// A community doctor on a phone (390×844, the phone project in playwright.config.ts): signs in,
// finds a case, plays its clip with the controls in sight, and never scrolls sideways.
import { expect, Page, test } from '@playwright/test';
import { demoStudies, hydrated, signIn } from './helpers';

async function noSidewaysScroll(page: Page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide, `${page.url()} is wider than the screen`).toBeLessThanOrEqual(0);
}

/** Whether the element is entirely inside the visible screen (to within a pixel). */
async function onScreen(page: Page, selector: string) {
  const box = await page.locator(selector).first().boundingBox();
  const height = page.viewportSize()!.height;
  // Layout is in fractions of a pixel, scrolling in whole ones: a part of a pixel is on screen.
  return box !== null && box.y > -1 && box.y + box.height < height + 1;
}

test('a learner signs in, opens a case from the library and plays its clip with the controls on screen', async ({ page }) => {
  await signIn(page, 'li.na');
  await noSidewaysScroll(page);
  // Every section of the role is in sight, not scrolled away inside the header.
  for (const link of await page.getByRole('navigation', { name: '主导航' }).getByRole('link').all()) {
    await expect(link).toBeInViewport({ ratio: 1 });
  }
  await expect(async () => {
    await page.goto('/cases');
    await hydrated(page);
    await expect(page.locator('a.case-card-link').first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 120_000 });
  await noSidewaysScroll(page);
  // A case of the demo library (the desktop tests publish one of their own before this runs).
  await page.locator('a.case-card-link').filter({ hasNotText: 'eFAST 阳性' }).first().click();
  await page.waitForURL(/\/cases\/[^/]+$/);
  await hydrated(page);
  const viewer = page.locator('.viewer');
  await expect(viewer).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await noSidewaysScroll(page);
  // Brought into view, the image and its play button fit on the screen together (scrolled
  // again while anything above the viewer is still settling).
  await expect(async () => {
    await page.locator('.viewer-stage').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    expect(await onScreen(page, '.viewer-stage')).toBe(true);
    expect(await onScreen(page, '[data-testid="play"]')).toBe(true);
    expect(await onScreen(page, '.scrub')).toBe(true);
  }).toPass({ timeout: 10_000 });
  await page.getByTestId('play').tap();
  await expect(viewer).toHaveAttribute('data-playing', 'true');
  await expect(async () => {
    expect(Number(await viewer.getAttribute('data-frame'))).toBeGreaterThan(0);
  }).toPass({ timeout: 10_000 });
  // The scored findings read as cards: every column's value is on screen, none cut off.
  const scores = page.locator('.score-table td[data-label]');
  if (await scores.count()) {
    for (const cell of await scores.all()) {
      const box = (await cell.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
  }
});

test('an expert reads the studies page on a phone without anything cut off', async ({ page }) => {
  await signIn(page, 'chen.jing');
  await demoStudies(page);
  await noSidewaysScroll(page);
  const cells = page.locator('[data-testid="library"] td[data-label], [data-testid="jobs"] td[data-label]');
  expect(await cells.count()).toBeGreaterThan(0);
  for (const cell of (await cells.all()).slice(0, 40)) {
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.width).toBeGreaterThan(200);
  }
  for (const path of ['/cases/work', '/notifications', '/profile', '/viewer']) {
    await page.goto(path);
    await hydrated(page);
    await noSidewaysScroll(page);
  }
});
