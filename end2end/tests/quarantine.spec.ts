// The quarantine as an expert uses it: clips without ultrasound regions are held, not refused;
// the expert checks SonoHub's proposed image area on the clip and saves it as the device mask,
// which releases every held file of that scanner; an admin then sees and retires the mask.
// Discarding a held file, and learners kept out of it all.
import { Browser, expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hydrated, signIn, SONOHUB } from './helpers';

const sonohub = SONOHUB;

type Rect = { x0: number; y0: number; x1: number; y1: number };

/** A 12-frame 320 × 240 synthetic clip; without regions it names the device it came from. */
function synth(dir: string, name: string, seed: number, device?: { model: string }): string {
  const out = path.join(dir, name);
  const args = ['dicom', 'synth', '--out', out, '--frames', '12', '--width', '320', '--height', '240',
    '--syntax', 'rle', '--seed', String(seed)];
  if (device) args.push('--no-regions', '--manufacturer', 'Acme Medical', '--model', device.model);
  execFileSync(sonohub, args);
  return out;
}

// Where the synthetic image is (app/cine/src/synth.rs, `layout(320, 240)`): a banner with the
// name and ID on rows 0..24; the calibrated region (0, 26)–(319, 239), the full width below it;
// inside that, what moves is a 35° sector from the apex (160, 26), 214 px deep. The proposal
// finds what moves, so it is compared with the sector's bounding box (the full-width region
// is wider than the sector: IoU 0.77 at best) and must lie inside the region.
const BANNER_ROWS = 24;
const REGION: Rect = { x0: 0, y0: 26, x1: 319, y1: 239 };
const SECTOR: Rect = (() => {
  const half = Math.round(214 * Math.sin((35 * Math.PI) / 180)); // 123 px either side
  return { x0: 160 - half, y0: 26, x1: 160 + half - 1, y1: 239 };
})();

function iou(a: Rect, b: Rect): number {
  const area = (r: Rect) => Math.max(0, r.x1 - r.x0 + 1) * Math.max(0, r.y1 - r.y0 + 1);
  const inter = area({ x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) });
  return inter / (area(a) + area(b) - inter);
}

async function areaInputs(page: Page): Promise<Rect> {
  const read = async (n: string) => Number(await page.getByTestId(`area-${n}`).inputValue());
  return { x0: await read('x0'), y0: await read('y0'), x1: await read('x1'), y1: await read('y1') };
}

/** Uploads `files` on /studies and waits for the new job to finish; returns its row. */
async function upload(page: Page, files: string[]) {
  await page.goto('/studies');
  await hydrated(page);
  await page.getByTestId('upload-files').setInputFiles(files);
  await expect(page.locator('.upload-list li')).toHaveCount(files.length);
  await page.getByTestId('upload-start').click();
  await expect(page.locator('[data-testid="upload"] p.form-ok')).toContainText(String(files.length));
  const job = page.locator('[data-testid="jobs"] tbody tr[data-job]').first();
  await expect(job).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  return job;
}

async function expertPage(browser: Browser): Promise<Page> {
  // Tall enough for the held list, the clip and its panel.
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await signIn(page, 'chen.jing');
  return page;
}

test('held clips get a proposed area, a device mask releases them all, an admin retires it', async ({ browser }) => {
  test.setTimeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonohub-held-'));
  const files = [
    synth(dir, 'portable-a.dcm', 41, { model: 'Portable-7' }),
    synth(dir, 'portable-b.dcm', 42, { model: 'Portable-7' }),
    synth(dir, 'with-regions.dcm', 43),
  ];
  const page = await expertPage(browser);
  const job = await upload(page, files);
  const jobId = await job.getAttribute('data-job');
  await expect(job.getByTestId('job-held')).toContainText('2');
  await job.getByRole('button', { name: '详情' }).click();
  // Each file by its name: the two without regions held, the third imported.
  const held = page.locator('.job-items li[data-status="held"]');
  await expect(held.locator('.item-name')).toHaveText(['portable-a.dcm', 'portable-b.dcm']);
  await expect(held.first()).toContainText('已暂扣');
  await expect(page.locator('.job-items li[data-status="imported"] .item-name')).toHaveText('with-regions.dcm');

  await job.getByTestId('job-held').click();
  await page.waitForURL((url) => url.pathname === '/quarantine');
  await hydrated(page);
  const group = page.locator('[data-testid="held-device"]', { hasText: 'Acme Medical Portable-7' });
  await expect(group.locator('tbody tr')).toHaveCount(2);
  await expect(group.getByTestId('held-count')).toContainText('320 × 240');
  await expect(group.getByTestId('held-count')).toContainText('2');

  await group.getByTestId('held-open').first().click();
  const work = page.getByTestId('held-workspace');
  await expect(work.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  await expect(work.getByTestId('proposal')).toHaveAttribute('data-proposed', 'true');
  await expect(work.getByTestId('proposal')).toContainText('各帧之间有变化的像素');
  await expect(work.getByTestId('proposal')).toContainText(/可信度 \d+%/);
  // The proposal fills the edges, inside the image, below the banner, and is the moving sector.
  await expect(work.getByTestId('area-x0')).not.toHaveValue('');
  const area = await areaInputs(page);
  expect(area.x0).toBeGreaterThanOrEqual(0);
  expect(area.x0).toBeLessThan(area.x1);
  expect(area.x1).toBeLessThan(320);
  expect(area.y0).toBeGreaterThanOrEqual(BANNER_ROWS);
  expect(area.y0).toBeLessThan(area.y1);
  expect(area.y1).toBeLessThan(240);
  expect(iou(area, REGION)).toBeGreaterThan(0.6);
  expect(iou(area, SECTOR), `proposed ${JSON.stringify(area)}`).toBeGreaterThanOrEqual(0.8);
  // It is drawn on the clip, and its size is given.
  await expect(work.locator('.viewer-overlay polygon.ann')).toHaveCount(1);
  await expect(work.getByTestId('area-size')).toContainText(`${area.x1 - area.x0 + 1} × ${area.y1 - area.y0 + 1}`);

  const save = work.getByTestId('save-device-mask');
  await expect(save).toContainText('Acme Medical Portable-7 320×240');
  await expect(save).toContainText('2');
  await save.click();
  await expect(page.getByTestId('quarantine-result')).toContainText('已放行该设备的 2 个暂扣文件');
  await expect(page.getByTestId('held-workspace')).toHaveCount(0);
  // The released files leave the quarantine once imported.
  await expect(page.getByTestId('held-empty')).toBeVisible({ timeout: 60_000 });

  const row = page.locator(`[data-testid="jobs"] tbody tr[data-job="${jobId}"]`);
  await expect(async () => {
    await page.goto('/studies');
    await hydrated(page);
    await expect(row).toContainText('已导入 3', { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(row.getByTestId('job-held')).toHaveCount(0);

  const admin = await browser.newPage();
  await signIn(admin, 'admin');
  await admin.goto('/admin/device-masks');
  await hydrated(admin);
  const mask = admin.locator('[data-testid="mask-row"]', { hasText: 'Acme Medical Portable-7' });
  await expect(mask).toHaveAttribute('data-status', 'active');
  await expect(mask.getByTestId('mask-keep')).toHaveText(`(${area.x0}, ${area.y0}) – (${area.x1}, ${area.y1})`);
  expect(Number(await mask.getByTestId('mask-uses').textContent())).toBeGreaterThanOrEqual(2);
  await mask.getByTestId('mask-retire').click();
  await admin.getByTestId('mask-retire-confirm').click();
  await expect(admin.getByTestId('masks-result')).toContainText('遮罩已停用');
  await expect(mask).toHaveAttribute('data-status', 'retired');
  await expect(mask.getByTestId('mask-status')).toHaveText('已停用');
  await expect(mask.getByTestId('mask-retire')).toHaveCount(0);
});

test('an expert edits the area by its edges or by drawing, and discards a held file', async ({ browser }) => {
  test.setTimeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonohub-held-'));
  const page = await expertPage(browser);
  await upload(page, [synth(dir, 'portable-9.dcm', 51, { model: 'Portable-9' })]);
  await page.goto('/quarantine');
  await hydrated(page);
  const group = page.locator('[data-testid="held-device"]', { hasText: 'Acme Medical Portable-9' });
  await expect(group.locator('tbody tr')).toHaveCount(1);
  await group.getByTestId('held-open').click();
  const work = page.getByTestId('held-workspace');
  await expect(work.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  await expect(work.getByTestId('area-x1')).not.toHaveValue('');

  // A typed edge moves that edge; one past the image stops at its last column.
  await work.getByTestId('area-x0').fill('50');
  await work.getByTestId('area-x0').press('Tab');
  await work.getByTestId('area-x1').fill('999');
  await work.getByTestId('area-x1').press('Tab');
  await expect(work.getByTestId('area-x1')).toHaveValue('319');
  await expect(work.getByTestId('area-size')).toContainText('270 ×');
  await expect(work.locator('.viewer-overlay polygon.ann')).toHaveAttribute('points', /^50,\d+ 319,/);

  // An ellipse drawn on the clip: the rectangle around it becomes the area.
  await work.getByRole('button', { name: '椭圆', exact: true }).click();
  const canvas = work.locator('.viewer canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x * box.width) / 320, box.y + (y * box.height) / 240];
  const [ax, ay] = at(160, 130);
  const [bx, by] = at(220, 200);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2);
  await page.mouse.move(bx, by);
  await page.mouse.up();
  await expect(work.locator('.viewer-overlay polygon.ann')).toHaveCount(1);
  await expect(work.locator('.viewer-overlay ellipse')).toHaveCount(0);
  const drawn = await areaInputs(page);
  for (const [got, want] of [[drawn.x0, 100], [drawn.y0, 60], [drawn.x1, 220], [drawn.y1, 200]]) {
    expect(Math.abs(got - want), JSON.stringify(drawn)).toBeLessThanOrEqual(3);
  }

  // Discarding asks first, in the page.
  await work.getByTestId('discard-held').click();
  await expect(work.getByTestId('discard-confirm')).toBeVisible();
  await work.getByRole('button', { name: '保留' }).click();
  await expect(work.getByTestId('discard-confirm')).toHaveCount(0);
  await work.getByTestId('discard-held').click();
  await work.getByTestId('discard-confirm').click();
  await expect(page.getByTestId('quarantine-result')).toContainText('文件已丢弃');
  await expect(group).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.locator('[data-testid="held-device"]', { hasText: 'Portable-9' })).toHaveCount(0);
});

test('learners get a 403 for the quarantine and for held files', async ({ page }) => {
  await signIn(page, 'li.na');
  const response = await page.goto('/quarantine');
  expect(response?.status()).toBe(403);
  await hydrated(page);
  await expect(page.locator('main [role="alert"]')).toContainText('您的角色无权执行此操作');
  await expect(page.locator('[data-testid="held-device"]')).toHaveCount(0);
  const file = await page.request.get('/held/00000000-0000-0000-0000-000000000000');
  expect([401, 403]).toContain(file.status());
  const anonymous = await page.context().browser()!.newContext();
  const signedOut = await anonymous.request.get('http://127.0.0.1:' + new URL(page.url()).port + '/held/anything');
  expect([401, 403]).toContain(signedOut.status());
  await anonymous.close();
});
