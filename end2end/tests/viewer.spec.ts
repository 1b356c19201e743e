// The cine viewer as a doctor uses it: open a clip, play it at its own rate, step, measure.
import { expect, Page, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

async function openClip(page: Page, file: string) {
  await page.goto('/viewer');
  await hydrated(page);
  await page.locator(`button[data-clip="${file}"]`).click();
  await expect(page.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('frame-counter')).toHaveText(/^1 \/ \d+$/);
}

/** Clicks the image at pixel (x, y) of a `width`×`height` clip. */
async function clickImage(page: Page, x: number, y: number, width: number, height: number) {
  // Keep the image clear of the sticky header.
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator('.viewer canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  await page.mouse.click(box.x + ((x + 0.5) * box.width) / width, box.y + ((y + 0.5) * box.height) / height);
}

/** Frames advanced per second of wall time while playing, measured in the page. */
async function playbackRate(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const viewer = document.querySelector('.viewer')!;
    const frame = () => Number(viewer.getAttribute('data-frame'));
    const f0 = frame();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    return ((frame() - f0) * 1000) / (performance.now() - t0);
  });
}

test.beforeEach(async ({ page }) => {
  await signIn(page, 'li.na');
});

test('a JPEG clip plays at the rate its DICOM says, and a 15 fps clip at half that', async ({ page }) => {
  await openClip(page, 'vessel-jpeg-640x480.dcm');
  await expect(page.getByTestId('frame-counter')).toHaveText('1 / 100');
  await page.getByTestId('play').click();
  const fast = await playbackRate(page);
  expect(fast).toBeGreaterThan(30 * 0.8);
  expect(fast).toBeLessThan(30 * 1.2);

  await openClip(page, 'vessel-rgb-320x240.dcm');
  await page.getByTestId('play').click();
  const slow = await playbackRate(page);
  expect(slow).toBeGreaterThan(15 * 0.8);
  expect(slow).toBeLessThan(15 * 1.2);
});

test('keys step, jump to the ends and play', async ({ page }) => {
  await openClip(page, 'vessel-rle-320x240.dcm');
  await page.locator('.viewer').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('frame-counter')).toHaveText('3 / 60');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('frame-counter')).toHaveText('2 / 60');
  await page.keyboard.press('End');
  await expect(page.getByTestId('frame-counter')).toHaveText('60 / 60');
  await page.keyboard.press('Home');
  await expect(page.getByTestId('frame-counter')).toHaveText('1 / 60');
  await page.keyboard.press(' ');
  await expect(page.locator('.viewer')).toHaveAttribute('data-playing', 'true');
  await page.keyboard.press(' ');
  await expect(page.locator('.viewer')).toHaveAttribute('data-playing', 'false');
});

test('a distance on a calibrated clip shows millimetres; the banner is not measurable', async ({ page }) => {
  await openClip(page, 'vessel-jpeg-640x480.dcm');
  await page.getByRole('button', { name: '测距离' }).click();
  // 0.1 mm per pixel: 80 pixels apart is 8.0 mm, 300 pixels is 3.00 cm.
  await clickImage(page, 100, 200, 640, 480);
  await clickImage(page, 100, 280, 640, 480);
  await expect(page.getByTestId('measurement')).toHaveText('距离：8.0 mm');
  await clickImage(page, 100, 300, 640, 480);
  await clickImage(page, 400, 300, 640, 480);
  await expect(page.getByTestId('measurement')).toHaveText('距离：3.00 cm');
  await clickImage(page, 100, 10, 640, 480);
  await expect(page.getByTestId('measurement')).toHaveText('此处没有校准区域，无法测量。');
});

test('a file that is not DICOM gets a clear message, not a blank canvas', async ({ page }) => {
  await page.goto('/viewer');
  await hydrated(page);
  await page.getByTestId('local-file').setInputFiles({
    name: 'report.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4 not an ultrasound clip'),
  });
  await expect(page.getByTestId('viewer-error')).toHaveText('这不是 DICOM 文件。');
});
