// The cine viewer as a doctor uses it: open a clip, play it at its own rate, step, measure.
import { expect, Page, test } from '@playwright/test';
import { hydrated, signIn, SONOHUB } from './helpers';

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

/** The canvas pixels of the frame on screen. */
async function canvasPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const c = document.querySelector('.viewer canvas') as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
}

async function openLocal(page: Page, path: string) {
  await page.getByTestId('local-file').setInputFiles(path);
  await expect(page.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('.viewer')).toHaveAttribute('data-first-frame-ms', /\d/);
}

test('JPEG 2000 decodes in the browser to the same pixels as the uncompressed original', async ({ page }) => {
  // pydicom's test files (installed by `.ci/tools test`): the same MR slice both ways.
  const samples = `${__dirname}/../../target/dicom-samples`;
  await page.goto('/viewer');
  await hydrated(page);
  await openLocal(page, `${samples}/MR_small.dcm`);
  const reference = await canvasPixels(page);
  await openLocal(page, `${samples}/MR_small_jp2klossless.dcm`);
  await expect(page.locator('.viewer-more')).toContainText('JPEG 2000');
  await expect(page.getByTestId('viewer-error')).toHaveCount(0);
  const decoded = await canvasPixels(page);
  expect(decoded.length).toBe(64 * 64 * 4);
  expect(decoded).toEqual(reference);
  // A lossless colour file (YBR_RCT) shows, too.
  await openLocal(page, `${samples}/examples_jpeg2k.dcm`);
  await expect(page.getByTestId('viewer-error')).toHaveCount(0);
});

test('a JPEG 2000 frame larger than its file says is refused with a message, and the viewer goes on', async ({ page }) => {
  // The fuzzer's file (server/fuzz/regressions): a 64 x 64 codestream in a data set of 58 rows.
  // The decoder library would copy past its buffer, a panic that ends the page's wasm.
  await page.goto('/viewer');
  await hydrated(page);
  await page.getByTestId('local-file').setInputFiles(
    `${__dirname}/../../server/fuzz/regressions/ingest/panic-j2k-component-larger-than-frame`,
  );
  await expect(page.getByTestId('viewer-error')).toContainText('无法解码');
  // Still alive: the next file opens and shows.
  await openLocal(page, `${__dirname}/../../target/dicom-samples/MR_small_jp2klossless.dcm`);
  await expect(page.getByTestId('viewer-error')).toHaveCount(0);
});

test('JPEG frames go to the browser decoder and the whole clip ends up decoded', async ({ page }) => {
  await openClip(page, 'vessel-jpeg-640x480.dcm');
  const viewer = page.locator('.viewer');
  await expect(viewer).toHaveAttribute('data-decoder', 'browser');
  await expect(viewer).toHaveAttribute('data-decoded', '100', { timeout: 20_000 });
  await expect(viewer).toHaveAttribute('data-decoded-ms', /\d/);
  // RLE has no browser decoder: wasm decodes it.
  await openClip(page, 'vessel-rle-320x240.dcm');
  await expect(viewer).toHaveAttribute('data-decoder', 'wasm');
  await expect(viewer).toHaveAttribute('data-decoded', '60', { timeout: 20_000 });
  // The browser's frames are the frames: stepping shows them.
  await openClip(page, 'vessel-jpeg-640x480.dcm');
  await viewer.focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('frame-counter')).toHaveText('100 / 100');
  const pixels = await canvasPixels(page);
  expect(pixels.some((v, i) => i % 4 !== 3 && v > 40)).toBe(true);
});

/** Frame `n` of an uncompressed RGB clip (explicit VR little endian) as RGBA, read from the
 *  file's own Pixel Data: what the canvas must show. */
function rgbFrame(file: Buffer, n: number, width: number, height: number): number[] {
  // (7FE0,0010) OB, two reserved bytes, a 32-bit length, then the samples.
  const header = file.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0x00, 0x00]));
  expect(header).toBeGreaterThan(0);
  const size = width * height * 3;
  const start = header + 12 + n * size;
  expect(file.readUInt32LE(header + 8)).toBeGreaterThanOrEqual((n + 1) * size);
  const rgb = file.subarray(start, start + size);
  const rgba: number[] = [];
  for (let i = 0; i < size; i += 3) rgba.push(rgb[i], rgb[i + 1], rgb[i + 2], 255);
  return rgba;
}

test('an uncompressed clip is ready once its header is read and draws each frame exactly', async ({ page }) => {
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const root = `${__dirname}/../..`;
  const dir = `${root}/target/e2e-native`;
  const [width, height, frames] = [96, 64, 12];
  execFileSync('mkdir', ['-p', dir]);
  execFileSync(SONOHUB, ['dicom', 'synth', '--syntax', 'rgb', '--frames', String(frames), '--width', String(width), '--height', String(height), '--out', `${dir}/rgb.dcm`]);
  const file = readFileSync(`${dir}/rgb.dcm`);
  await page.goto('/viewer');
  await hydrated(page);
  await openLocal(page, `${dir}/rgb.dcm`);
  const viewer = page.locator('.viewer');
  // Nothing to decode: every frame can be drawn as soon as the clip is ready.
  await expect(viewer).toHaveAttribute('data-decoder', 'native');
  await expect(viewer).toHaveAttribute('data-decoded', String(frames));
  await expect(viewer).toHaveAttribute('data-decoded-ms', /\d/);
  await expect(page.getByTestId('viewer-error')).toHaveCount(0);

  const at = (pixels: number[], x: number, y: number) => pixels.slice((y * width + x) * 4, (y * width + x) * 4 + 4);
  const first = await canvasPixels(page);
  expect(first.length).toBe(width * height * 4);
  // The synthetic clip's known colours: the banner's dark blue at the top left, black outside
  // the sector at the bottom right, the anechoic vessel lumen at its centre.
  expect(at(first, 0, 0)).toEqual([24, 48, 96, 255]);
  expect(at(first, width - 1, height - 1)).toEqual([0, 0, 0, 255]);
  expect(at(first, 48, 39)).toEqual([6, 6, 6, 255]);
  expect(first).toEqual(rgbFrame(file, 0, width, height));

  // Stepping converts the frame asked for, not a stale one.
  await viewer.focus();
  await page.keyboard.press('End');
  await expect(page.getByTestId('frame-counter')).toHaveText(`${frames} / ${frames}`);
  const last = await canvasPixels(page);
  expect(last).not.toEqual(first);
  expect(last).toEqual(rgbFrame(file, frames - 1, width, height));
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('frame-counter')).toHaveText(`${frames - 1} / ${frames}`);
  expect(await canvasPixels(page)).toEqual(rgbFrame(file, frames - 2, width, height));

  // Played and paused, the canvas holds the frame the viewer says it shows.
  await page.keyboard.press('Home');
  await page.getByTestId('play').click();
  await expect(viewer).toHaveAttribute('data-frame', /^([3-9]|1[01])$/);
  await page.getByTestId('play').click();
  await expect(viewer).toHaveAttribute('data-playing', 'false');
  const shown = Number(await viewer.getAttribute('data-frame'));
  expect(await canvasPixels(page)).toEqual(rgbFrame(file, shown, width, height));
});

/** Drags on the image from (x0, y0) to (x1, y1), in image pixels. */
async function dragImage(page: Page, from: [number, number], to: [number, number], width: number, height: number) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator('.viewer canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / width, box.y + (y * box.height) / height];
  const [ax, ay] = at(from);
  const [bx, by] = at(to);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2);
  await page.mouse.move(bx, by);
  await page.mouse.up();
}

test('drawing annotations: arrow, ellipse, polygon and text, each with a frame range', async ({ page }) => {
  await page.goto('/viewer');
  await hydrated(page);
  // A clip without a teaching overlay, so the list holds only what is drawn here.
  await page.getByTestId('local-file').setInputFiles(`${__dirname}/../../target/e2e-data/demo-clips/vessel-rle-320x240.dcm`);
  await expect(page.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  const tool = (name: string) => page.getByRole('button', { name, exact: true });
  await tool('箭头').click();
  await dragImage(page, [60, 60], [150, 120], 320, 240);
  await expect(page.locator('.viewer-overlay .ann-arrow')).toHaveCount(1);
  await tool('椭圆').click();
  await dragImage(page, [160, 120], [200, 150], 320, 240);
  const ellipse = page.locator('.viewer-overlay ellipse.ann');
  await expect(ellipse).toHaveAttribute('rx', /^4\d(\.\d+)?$/);
  await tool('多边形').click();
  await clickImage(page, 40, 180, 320, 240);
  await clickImage(page, 90, 180, 320, 240);
  await clickImage(page, 65, 220, 320, 240);
  await tool('闭合多边形').click();
  await tool('文字').click();
  await clickImage(page, 200, 40, 320, 240);
  // The new label's field has the focus as soon as it exists: typing straight after the click
  // loses nothing (a "k" would otherwise reach the viewer and toggle playback).
  await page.keyboard.type('k颈动脉');
  await expect(page.locator('.ann-list input.ann-label').last()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.viewer-overlay .ann-text')).toHaveText('k颈动脉');
  const rows = page.locator('.ann-list li');
  await expect(rows).toHaveCount(4);

  // Narrow the arrow to frames 5–10: shown there, hidden elsewhere.
  const arrow = rows.nth(0);
  await arrow.locator('input[type=number]').nth(0).fill('5');
  await arrow.locator('input[type=number]').nth(0).press('Enter');
  await arrow.locator('input[type=number]').nth(1).fill('10');
  await arrow.locator('input[type=number]').nth(1).press('Enter');
  await page.locator('.viewer').focus();
  await page.keyboard.press('Home');
  await expect(page.locator('.viewer-overlay .ann-arrow')).toHaveCount(0);
  await arrow.getByRole('button').first().click();
  await expect(page.getByTestId('frame-counter')).toHaveText('5 / 60');
  await expect(page.locator('.viewer-overlay .ann-arrow')).toHaveCount(1);
  // Out-of-range frame numbers are refused and the field shows the range again.
  await arrow.locator('input[type=number]').nth(1).fill('999');
  await arrow.locator('input[type=number]').nth(1).press('Enter');
  await expect(arrow.locator('input[type=number]').nth(1)).toHaveValue('10');
  // Remove the ellipse.
  await rows.nth(1).getByRole('button', { name: '删除此标注' }).click();
  await expect(rows).toHaveCount(3);
  await expect(page.locator('.viewer-overlay ellipse.ann')).toHaveCount(0);
});

test('two fingers pinch to zoom and pan', async ({ page }) => {
  await openClip(page, 'vessel-rle-320x240.dcm');
  const scale = () =>
    page.locator('.viewer-layer').evaluate((el) => Number(/scale\(([\d.]+)\)/.exec(el.getAttribute('style') || '')?.[1]));
  expect(await scale()).toBe(1);
  await page.locator('.viewer-stage').evaluate((stage) => {
    const r = stage.getBoundingClientRect();
    const cx = r.left + r.width / 2;
    const cy = r.top + r.height / 2;
    const fire = (type: string, id: number, x: number) =>
      stage.dispatchEvent(
        new PointerEvent(type, { pointerId: id, pointerType: 'touch', clientX: x, clientY: cy, bubbles: true, isPrimary: id === 1 }),
      );
    fire('pointerdown', 1, cx - 50);
    fire('pointerdown', 2, cx + 50);
    fire('pointermove', 1, cx - 100);
    fire('pointermove', 2, cx + 100);
    fire('pointerup', 1, cx - 100);
    fire('pointerup', 2, cx + 100);
  });
  // 100 px apart became 200 px apart (the second finger's move counts from 150 px apart).
  const zoomed = await scale();
  expect(zoomed).toBeGreaterThan(1.9);
  expect(zoomed).toBeLessThan(2.1);
});

test('an H.264 clip plays through the browser video decoder at its DICOM rate', async ({ page }) => {
  // The fixture: a synthetic RGB clip and the same clip re-encoded as MPEG-4 AVC/H.264.
  const { execFileSync } = await import('node:child_process');
  const root = `${__dirname}/../..`;
  const dir = `${root}/target/e2e-video`;
  execFileSync('mkdir', ['-p', dir]);
  execFileSync(SONOHUB, ['dicom', 'synth', '--syntax', 'rgb', '--frames', '60', '--width', '320', '--height', '240', '--out', `${dir}/rgb.dcm`]);
  execFileSync('python3', [`${__dirname}/../fixtures/h264_clip.py`, `${dir}/rgb.dcm`, `${dir}/h264.dcm`], {
    env: { ...process.env, PYTHONPATH: `${root}/target/pylib` },
  });
  await page.goto('/viewer');
  await hydrated(page);
  await openLocal(page, `${dir}/rgb.dcm`);
  const original = await canvasPixels(page);
  await openLocal(page, `${dir}/h264.dcm`);
  const viewer = page.locator('.viewer');
  await expect(viewer).toHaveAttribute('data-decoder', 'video');
  await expect(viewer).toHaveAttribute('data-decoded', '60', { timeout: 20_000 });
  await expect(page.getByTestId('viewer-error')).toHaveCount(0);
  // Lossy, 4:2:0: close to the original, not equal.
  const decoded = await canvasPixels(page);
  expect(decoded.length).toBe(original.length);
  let sum = 0;
  for (let i = 0; i < decoded.length; i += 1) if (i % 4 !== 3) sum += Math.abs(decoded[i] - original[i]);
  const meanDifference = sum / ((decoded.length / 4) * 3);
  expect(meanDifference).toBeLessThan(6);
  await page.getByTestId('play').click();
  const rate = await playbackRate(page);
  expect(rate).toBeGreaterThan(30 * 0.8);
  expect(rate).toBeLessThan(30 * 1.2);
});
