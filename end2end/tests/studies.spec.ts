// Studies as an expert uses them: the anonymised library, a clip whose burned-in banner is
// gone, an upload with a file that is not DICOM; and the admin's archive connection.
import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoStudies, hydrated, signIn, SONOHUB } from './helpers';

const sonohub = SONOHUB;

test('the library lists anonymised studies and a clip plays with its banner blacked out', async ({ page }) => {
  await signIn(page, 'chen.jing');
  await demoStudies(page, 4);
  const keys = await page.locator('[data-testid="library"] tbody tr td:first-child code').allTextContents();
  expect(keys.every((k) => /^SH[0-9A-F]{16}$/.test(k))).toBe(true);
  // One made-up patient had two exams: both carry the same pseudonymous key. Counted over the
  // demo's own exams, which carry a description (synthetic clips other tests upload have none
  // and all share one made-up patient; the demo courses' phantom clips, 480 × 360 without a
  // banner, are described as "Teaching clip: …").
  const demo = await page.locator('[data-testid="library"] tbody tr').evaluateAll((rows) => rows
    .filter((row) => /^(?!Teaching clip)./.test((row.children[3]?.textContent ?? '').trim()))
    .map((row) => (row.children[0]?.textContent ?? '').trim()));
  expect(demo.length).toBeGreaterThanOrEqual(4);
  expect(new Set(demo).size).toBe(demo.length - 1);
  await expect(page.locator('[data-testid="library"]')).not.toContainText('王');
  await expect(page.locator('[data-testid="library"]')).not.toContainText('WANG');

  // The newest of the demo's exams (640 × 480 clips with a burned-in banner).
  const study = await page.locator('[data-testid="library"] tbody tr').evaluateAll((rows) => rows
    .find((row) => /^(?!Teaching clip)./.test((row.children[3]?.textContent ?? '').trim()))
    ?.getAttribute('data-study'));
  await page.locator(`[data-testid="library"] tbody tr[data-study="${study}"] a`).click();
  await expect(page.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  const banner = await page.evaluate(() => {
    const canvas = document.querySelector('.viewer canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const rows = Math.floor(canvas.height / 10);
    const data = ctx.getImageData(0, 0, canvas.width, rows).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 8 || data[i + 1] > 8 || data[i + 2] > 8) lit++;
    return { lit, width: canvas.width };
  });
  expect(banner.width).toBe(640);
  expect(banner.lit).toBe(0);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('frame-counter')).not.toHaveText(/^1 \//);
});

test('an upload imports a clip and names the file that is not DICOM', async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonohub-upload-'));
  const clip = path.join(dir, 'carotid.dcm');
  execFileSync(sonohub, ['dicom', 'synth', '--out', clip, '--frames', '6', '--width', '320', '--height', '240', '--syntax', 'rle', '--seed', '77']);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
  await signIn(page, 'chen.jing');
  await page.goto('/studies');
  await hydrated(page);
  await page.getByTestId('upload-files').setInputFiles([clip, path.join(dir, 'notes.txt')]);
  await expect(page.locator('.upload-list li')).toHaveCount(2);
  await page.getByTestId('upload-start').click();
  await expect(page.locator('[data-testid="upload"] p.form-ok')).toContainText('2');
  // The newest job finishes with one imported and one refused with its reason.
  const job = page.locator('[data-testid="jobs"] tbody tr[data-job]').first();
  await expect(job).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(job).toContainText('已导入 1');
  await expect(job).toContainText('失败 1');
  // Not the plain green "Done": the status says that one of two did not get in.
  await expect(job.locator('.status-warn')).toHaveText('已完成：2 个中 1 个未导入');
  await expect(job.locator('progress')).toHaveClass(/progress-warn/);
  const jobId = await job.getAttribute('data-job');
  await job.getByRole('button', { name: '详情' }).click();
  // Each file by the name it was sent under, the refused one with its reason and what to do.
  const failed = page.locator('.job-items li[data-status="failed"]');
  await expect(failed.locator('.item-name')).toHaveText('notes.txt');
  // A new upload reloads the job list: the open details must stay open through it.
  const reloaded = page.waitForResponse((r) => r.url().includes('/import_jobs'));
  await page.getByTestId('upload-files').setInputFiles([path.join(dir, 'notes.txt')]);
  await page.getByTestId('upload-start').click();
  await reloaded;
  await expect(page.locator('[data-testid="jobs"] tbody tr[data-job]').first()).not.toHaveAttribute('data-job', jobId!);
  await expect(failed.locator('.item-name')).toHaveText('notes.txt');
  await expect(failed).toContainText('不是 DICOM 文件');
  await expect(failed.locator('.hint')).toContainText('只能导入 DICOM 文件');
  await expect(page.locator('.job-items li[data-status="imported"] .item-name')).toHaveText('carotid.dcm');
});

test('an admin connects the archive and a dead address is reported in words', async ({ page }) => {
  await signIn(page, 'admin');
  await page.goto('/admin/archive');
  await hydrated(page);
  await page.locator('input[name="base_url"]').fill('http://127.0.0.1:9/dicom-web');
  await page.locator('select[name="auth"]').selectOption('none');
  await page.getByTestId('archive-test').click();
  await expect(page.getByTestId('archive-test-result')).toContainText('无法连接到该地址的影像归档');
  await page.locator('form[data-testid="archive-form"] button[type="submit"]').click();
  await expect(page.locator('[data-testid="archive-form"] .form-ok')).toHaveText('已保存。');
  await page.reload();
  await hydrated(page);
  await expect(page.locator('input[name="base_url"]')).toHaveValue('http://127.0.0.1:9/dicom-web');
});

test('learners do not see the studies area, and the refusal is a 403 with a way back', async ({ page }) => {
  await signIn(page, 'li.na');
  await expect(page.locator('header nav')).not.toContainText('影像库');
  const response = await page.goto('/studies');
  expect(response?.status()).toBe(403);
  await hydrated(page);
  await expect(page.locator('[data-testid="archive-search"]')).toHaveCount(0);
  await expect(page.locator('main [role="alert"]')).toContainText('您的角色无权执行此操作');
  await page.locator('main [role="alert"] a', { hasText: '返回首页' }).click();
  await page.waitForURL((url) => url.pathname === '/');
});

test('an expert blacks out an area the regions missed, in every frame', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await signIn(page, 'chen.jing');
  await demoStudies(page, 4);
  // The newest of the demo's exams (640 × 480 clips with a burned-in banner).
  const study = await page.locator('[data-testid="library"] tbody tr').evaluateAll((rows) => rows
    .find((row) => /^(?!Teaching clip)./.test((row.children[3]?.textContent ?? '').trim()))
    ?.getAttribute('data-study'));
  await page.locator(`[data-testid="library"] tbody tr[data-study="${study}"] a`).click();
  await expect(page.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  const url = await page.locator('[data-testid="instances"] tbody tr').first().getAttribute('data-sop');
  await page.getByRole('button', { name: '椭圆', exact: true }).click();
  // An ellipse centred on (320, 240), 40 × 30 pixels of radius, on the 640 × 480 clip.
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = (await page.locator('.viewer canvas').boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x * box.width) / 640, box.y + (y * box.height) / 480];
  const [ax, ay] = at(320, 240);
  const [bx, by] = at(360, 270);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2);
  await page.mouse.move(bx, by);
  await page.mouse.up();
  await page.getByTestId('mask-apply').click();
  await expect(page.locator('[data-testid="mask-panel"] .form-ok')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.viewer')).toHaveAttribute('data-ready', 'true');
  expect(await page.locator('[data-testid="instances"] tbody tr').first().getAttribute('data-sop')).toBe(url);
  const litInside = async () =>
    page.evaluate(() => {
      const canvas = document.querySelector('.viewer canvas') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(285, 215, 70, 50).data;
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] > 48 || data[i + 1] > 48 || data[i + 2] > 48) lit++;
      return lit;
    });
  expect(await litInside()).toBe(0);
  await page.locator('.viewer').focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('frame-counter')).toHaveText(/^6 \//);
  expect(await litInside()).toBe(0);
});
