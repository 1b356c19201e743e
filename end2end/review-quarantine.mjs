// Review run (not a test): the quarantine as an expert meets it, for screenshots (desktop + phone,
// zh + en) and axe. Uploads two palette-colour clips without regions from one scanner, a clip
// with regions, and real files from pydicom's corpus; shows the job's details naming each file,
// the proposed area on a palette clip, the device mask releasing the held files, and the admin's
// list of masks. node review-quarantine.mjs BASE OUT_DIR
import { findings as check, launch, signIn } from './browse.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = process.argv[2];
const out = process.argv[3];
mkdirSync(out, { recursive: true });
const root = path.resolve(import.meta.dirname, '..');
const sonohub = path.join(root, 'target/release/sonohub');
const corpus = path.join(root, 'target/dicom-corpus');
const samples = path.join(root, 'target/dicom-samples');
const axe = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const findings = [];

function palette(dir, name, seed, model) {
  const rgb = path.join(dir, `rgb-${seed}.dcm`);
  execFileSync(sonohub, ['dicom', 'synth', '--out', rgb, '--frames', '12', '--width', '320',
    '--height', '240', '--syntax', 'rgb', '--seed', String(seed), '--no-regions',
    '--manufacturer', 'Acme Medical', '--model', model]);
  const file = path.join(dir, name);
  execFileSync('python3', [path.join(import.meta.dirname, 'fixtures/to-palette.py'), rgb, file], {
    env: { ...process.env, PYTHONPATH: path.join(root, 'target/pylib') },
  });
  return file;
}

async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated="true"]');
}

const browser = await launch();
let run = 0;
for (const [locale, lang] of [['zh-CN', 'zh'], ['en-GB', 'en']]) {
  for (const [device, viewport] of [['desktop', { width: 1366, height: 1100 }], ['phone', { width: 390, height: 844 }]]) {
    run += 1;
    const tag = `${lang}-${device}`;
    const model = `Vivid P${run}-${Math.floor(Date.now() / 1000) % 1000}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sonohub-review-q-'));
    const notDicom = path.join(dir, 'referral-letter.txt');
    writeFileSync(notDicom, 'Referral: thyroid nodule, left lobe.\n');
    const regions = path.join(dir, 'carotid-with-regions.dcm');
    execFileSync(sonohub, ['dicom', 'synth', '--out', regions, '--frames', '8', '--width', '320',
      '--height', '240', '--syntax', 'rle', '--seed', String(70 + run)]);
    const files = [
      palette(dir, 'echo-palette-a.dcm', 60 + 2 * run, model),
      palette(dir, 'echo-palette-b.dcm', 61 + 2 * run, model),
      regions,
      path.join(corpus, 'OBXXXX1A_rle_2frame.dcm'),
      path.join(corpus, 'US1_J2KI.dcm'),
      path.join(samples, 'reportsi.dcm'),
      notDicom,
    ];
    const context = await browser.newContext({ locale, viewport });
    const page = await context.newPage();
    await signIn(page, base, 'chen.jing');
    await page.goto(`${base}/studies`);
    await hydrated(page);
    const previous = await page.locator('[data-testid="jobs"] tbody tr[data-job]').first()
      .getAttribute('data-job').catch(() => null);
    await page.getByTestId('upload-files').setInputFiles(files);
    await page.getByTestId('upload-start').click();
    await page.waitForFunction((previous) => {
      const row = document.querySelector('[data-testid="jobs"] tbody tr[data-job]');
      return row && row.getAttribute('data-job') !== previous && row.getAttribute('data-status') === 'done';
    }, previous, { timeout: 120_000 });
    const job = page.locator('[data-testid="jobs"] tbody tr[data-job]').first();
    await job.locator('.row-actions button.btn-quiet').first().click();
    await page.locator('.job-items li').first().waitFor();
    await page.screenshot({ path: `${out}/${tag}-job-details.png`, fullPage: true });
    findings.push(...await check(page, `${tag}-job-details`, axe));

    await job.getByTestId('job-held').click();
    await page.waitForURL((url) => url.pathname === '/quarantine');
    await hydrated(page);
    const philips = page.locator('[data-testid="held-device"]', { hasText: 'Philips' }).first();
    if (await philips.count()) {
      await philips.getByTestId('held-open').first().click();
      await page.getByTestId('held-workspace').locator('.viewer[data-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('held-workspace').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${out}/${tag}-quarantine-philips.png`, fullPage: true });
    }
    const group = page.locator('[data-testid="held-device"]', { hasText: `Acme Medical ${model}` });
    await group.getByTestId('held-open').first().click();
    const work = page.getByTestId('held-workspace');
    await work.locator('.viewer[data-ready="true"]').waitFor({ timeout: 30_000 });
    await work.locator('[data-testid="proposal"][data-proposed="true"]').waitFor();
    await work.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${out}/${tag}-quarantine-palette.png`, fullPage: true });
    findings.push(...await check(page, `${tag}-quarantine`, axe));
    console.log(tag, 'proposal:', (await work.getByTestId('proposal').textContent()).trim());

    await work.getByTestId('save-device-mask').click();
    await page.getByTestId('quarantine-result').waitFor();
    await page.screenshot({ path: `${out}/${tag}-mask-saved.png`, fullPage: true });
    console.log(tag, 'result:', (await page.getByTestId('quarantine-result').textContent()).trim());

    // Back on the job: the two palette clips are imported now.
    for (let i = 0; i < 60; i += 1) {
      await page.goto(`${base}/studies`);
      await hydrated(page);
      const held = await page.locator('[data-testid="jobs"] tbody tr[data-job]').first().getByTestId('job-held').count();
      if (held === 0) break;
      await page.waitForLoadState('networkidle');
    }
    const first = page.locator('[data-testid="jobs"] tbody tr[data-job]').first();
    await first.locator('.row-actions button.btn-quiet').first().click();
    await page.locator('.job-items li').first().waitFor();
    await page.screenshot({ path: `${out}/${tag}-job-after-mask.png`, fullPage: true });
    await context.close();

    const admin = await browser.newContext({ locale, viewport });
    const adminPage = await admin.newPage();
    await signIn(adminPage, base, 'admin');
    await adminPage.goto(`${base}/admin/device-masks`);
    await hydrated(adminPage);
    await adminPage.waitForLoadState('networkidle');
    await adminPage.screenshot({ path: `${out}/${tag}-device-masks.png`, fullPage: true });
    findings.push(...await check(adminPage, `${tag}-device-masks`, axe));
    await admin.close();
  }
}
await browser.close();
console.log(findings.length ? findings.join('\n') : 'no serious or critical violation, nothing scrolls sideways');
