// Guidance replays as the people who make and watch them use them: an expert records a replay
// over a teaching clip with a voice (Chromium's fake microphone) and two drawings at known
// times, saves and submits it; a learner cannot open it as a draft; another expert publishes
// it; the learner plays it and each drawing appears within 100 ms of its time while the voice
// keeps to the timeline within 100 ms. A broken package is refused naming the file and the
// place in it. The pages pass axe on a phone and in English.
import { expect, Page, test } from '@playwright/test';
import { hydrated, serious, signIn } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TITLE = `右上腹窗口的调整 ${Date.now()}`;

/** Milliseconds the recorder has recorded (its timer, updated ten times a second). */
async function recorded(page: Page): Promise<number> {
  return Number(await page.getByTestId('recording-timer').getAttribute('data-ms'));
}

/** Draws an ellipse on the recorder's viewer, from `a` to `b` (fractions of the picture). */
async function ellipse(page: Page, a: number, b: number) {
  const canvas = page.locator('.recorder-stage .viewer canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * a, box.y + box.height * a);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((a + b) / 2), box.y + box.height * ((a + b) / 2));
  await page.mouse.move(box.x + box.width * b, box.y + box.height * b);
  await page.mouse.up();
}

/** The recorder, on the first teaching clip, once the clip is on screen. */
async function recorderOnAClip(page: Page) {
  await expect(async () => {
    await page.goto('/replays/new');
    await hydrated(page);
    await expect(page.locator('.clip-choice').first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 180_000 });
  await page.locator('.clip-choice').first().click();
  await expect(page.locator('.recorder-stage .viewer')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

async function step(page: Page, action: string, status: string) {
  await page.locator(`[data-testid="replay-workflow"] [data-step="${action}"]`).click();
  await expect(page.locator(`[data-testid="replay-workflow"] [data-status="${status}"]`)).toBeVisible();
}

test('an expert records a replay with a voice and two drawings; a learner plays it in step', async ({ browser }) => {
  test.setTimeout(300_000);
  const chen = await (await browser.newContext()).newPage();
  await signIn(chen, 'chen.jing');
  await recorderOnAClip(chen);
  await chen.locator('.recorder-stage').getByRole('button', { name: '椭圆', exact: true }).click();
  await chen.locator('.recorder-stage .viewer canvas').scrollIntoViewIfNeeded();

  await chen.getByTestId('record-start').click();
  await expect(chen.getByTestId('recorder-status')).toHaveText('正在录制（含语音）');
  await expect(chen.locator('.level-meter meter')).toBeVisible();

  // The first drawing after a second, the second two seconds later, each timed by the
  // recorder's own clock on either side.
  await expect.poll(() => recorded(chen), { timeout: 10_000 }).toBeGreaterThanOrEqual(1000);
  const before1 = await recorded(chen);
  await ellipse(chen, 0.3, 0.42);
  const after1 = await recorded(chen);
  await chen.getByTestId('add-chapter').click();
  await expect.poll(() => recorded(chen), { timeout: 10_000 }).toBeGreaterThanOrEqual(after1 + 2000);
  const before2 = await recorded(chen);
  await ellipse(chen, 0.55, 0.7);
  const after2 = await recorded(chen);
  await chen.getByTestId('remark-text').fill('注意肝肾隐窝');
  await chen.getByTestId('remark-text').press('Enter');
  await expect.poll(() => recorded(chen), { timeout: 10_000 }).toBeGreaterThanOrEqual(after2 + 1500);
  await chen.getByTestId('record-stop').click();

  // The editor: the drawings at their times (the timer lags its clock by up to 100 ms).
  await expect(chen.getByTestId('replay-editor')).toBeVisible({ timeout: 30_000 });
  const marks = chen.locator('[data-testid="drawing-marks"] li[data-drawing-t]');
  await expect(marks).toHaveCount(2);
  const t1 = Number(await marks.nth(0).getAttribute('data-drawing-t'));
  const t2 = Number(await marks.nth(1).getAttribute('data-drawing-t'));
  expect(t1).toBeGreaterThanOrEqual(before1);
  expect(t1).toBeLessThanOrEqual(after1 + 250);
  expect(t2).toBeGreaterThanOrEqual(before2);
  expect(t2).toBeLessThanOrEqual(after2 + 250);
  await expect(chen.getByTestId('chapter-list').locator('li')).toHaveCount(1);
  await expect(chen.getByTestId('replay-details')).toContainText('1 条语音');
  expect(await serious(chen)).toEqual([]);

  await chen.getByTestId('replay-title').fill(TITLE);
  await chen.getByTestId('replay-summary').fill('纠正探头位置后，**肝肾隐窝**显示清楚。');
  await chen.getByTestId('save-replay').click();
  await chen.waitForURL((url) => /^\/replays\/[0-9a-f-]{36}$/.test(url.pathname), { timeout: 60_000 });
  const id = new URL(chen.url()).pathname.split('/')[2];
  await hydrated(chen);
  await expect(chen.getByTestId('replay-title')).toHaveText(TITLE);

  // What was saved is what was recorded.
  const saved: Json = await (await chen.request.post('/api/get_replay', { form: { id } })).json();
  const drawn = saved.timeline.events.filter((e: Json) => e.kind === 'draw').map((e: Json) => e.t);
  expect(drawn).toEqual([t1, t2]);
  expect(saved.voices).toHaveLength(1);
  expect(saved.timeline.events.filter((e: Json) => e.kind === 'chapter')).toHaveLength(1);
  expect(saved.timeline.events.filter((e: Json) => e.kind === 'remark').map((e: Json) => e.text)).toEqual(['注意肝肾隐窝']);

  // A learner does not find the draft, by its address or in the list.
  const learner = await (await browser.newContext()).newPage();
  await signIn(learner, 'li.na');
  const refused = await learner.goto(`/replays/${id}`);
  expect(refused!.status()).toBe(404);
  await hydrated(learner);
  await expect(learner.locator('main [role="alert"]')).toContainText('未找到');
  await learner.goto('/replays');
  await hydrated(learner);
  await expect(learner.locator('main')).not.toContainText(TITLE);

  // Submitted by its author, who is told another expert publishes; published by wang.lei.
  await step(chen, 'submit', 'in_review');
  await expect(chen.getByTestId('publish-note')).toBeVisible();
  await expect(chen.locator('[data-step="publish"]')).toHaveCount(0);
  const wang = await (await browser.newContext()).newPage();
  await signIn(wang, 'wang.lei');
  await wang.goto(`/replays/${id}`);
  await hydrated(wang);
  await step(wang, 'publish', 'published');

  // The learner plays it: every change of the player's hooks is logged as it happens.
  await learner.goto('/replays');
  await hydrated(learner);
  await expect(learner.getByTestId('replay-list')).toContainText(TITLE);
  await learner.goto(`/replays/${id}`);
  await hydrated(learner);
  const player = learner.locator('.replay');
  await expect(player).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(player).toHaveAttribute('data-drawings', '0');
  await player.evaluate((el) => {
    const log: Json[] = [];
    (window as Json).replayLog = log;
    const take = () => log.push({
      t: Number(el.getAttribute('data-replay-t')),
      drawings: Number(el.getAttribute('data-drawings')),
      audio: el.getAttribute('data-audio-t'),
      playing: el.getAttribute('data-playing'),
    });
    new MutationObserver(take).observe(el, {
      attributes: true,
      attributeFilter: ['data-replay-t', 'data-drawings', 'data-audio-t', 'data-playing'],
    });
    take();
  });
  await learner.getByTestId('replay-play').click();
  await expect.poll(async () => Number(await player.getAttribute('data-replay-t')), { timeout: 30_000 })
    .toBeGreaterThan(t2 + 1000);
  const log: Json[] = await learner.evaluate(() => (window as Json).replayLog);
  const first = (n: number) => log.find((e) => e.drawings >= n);
  expect(first(1), JSON.stringify(log.slice(0, 20))).toBeTruthy();
  expect(Math.abs(first(1).t - t1)).toBeLessThanOrEqual(100);
  expect(Math.abs(first(2).t - t2)).toBeLessThanOrEqual(100);
  const heard = log.filter((e) => e.playing === 'true' && e.audio !== null && e.audio !== '');
  expect(heard.length).toBeGreaterThan(20);
  for (const e of heard) {
    expect(Math.abs(Number(e.audio) - e.t), `audio ${e.audio} at ${e.t}`).toBeLessThanOrEqual(100);
  }
});

/** A zip of `files`, stored without compression (enough for the server's reader). */
function zip(files: Record<string, string>): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const DOS_DATE = (1 << 5) | 1; // 1980-01-01
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const file = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(file.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(file.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, file, data);
    centrals.push(central, file);
    offset += local.length + file.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function manifest(sopUid: string, events: Json[], voices: Json[]): string {
  return JSON.stringify({
    format: 'sonohub-replay',
    version: 1,
    title: '导入的回放',
    language: 'zh',
    clip: { kind: 'dicom', sop_uid: sopUid },
    voices,
    timeline: { duration_ms: 2000, events },
  });
}

test('a broken package is refused naming the file and the place in it, and can be sent again', async ({ page }, testInfo) => {
  await signIn(page, 'chen.jing');
  let clips: Json[] = [];
  await expect(async () => {
    clips = await (await page.request.post('/api/teaching_clips', { form: {} })).json();
    expect(clips.length).toBeGreaterThan(0);
  }).toPass({ timeout: 180_000 });
  const sop = clips[0].sop_uid;
  await page.goto('/replays');
  await hydrated(page);

  // The voice the events file names is not in the package.
  const missing = zip({
    'replay.json': manifest(sop, [{ t: 0, kind: 'view', frame: 0, playing: false }], [{ file: 'voice.webm', speaker: '陈静' }]),
  });
  await page.getByTestId('import-file').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: missing });
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-error')).toContainText('数据包中缺少文件 voice.webm');
  await page.getByTestId('import-error').screenshot({ path: testInfo.outputPath('import-error.png') });
  // The file is kept for another go.
  await expect(page.getByTestId('import-start')).toHaveText('重新导入');
  await expect(page.getByTestId('import-start')).toBeEnabled();
  await expect(page.getByTestId('replay-import')).toContainText('broken.zip');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-error')).toContainText('voice.webm');

  // An event after the end: the place in the events file, and why.
  const late = zip({
    'replay.json': manifest(sop, [
      { t: 0, kind: 'view', frame: 0, playing: false },
      { t: 5000, kind: 'chapter', title: '太晚了' },
    ], []),
  });
  await page.getByTestId('import-file').setInputFiles({ name: 'late.zip', mimeType: 'application/zip', buffer: late });
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-error')).toContainText('replay.json · timeline.events[1].t：超出了录音或片段的结尾');
  expect(await serious(page)).toEqual([]);

  // The good package imports as a draft and opens.
  const good = zip({
    'replay.json': manifest(sop, [
      { t: 0, kind: 'view', frame: 0, playing: false },
      { t: 500, kind: 'chapter', title: '开始' },
    ], []),
  });
  await page.getByTestId('import-file').setInputFiles({ name: 'good.zip', mimeType: 'application/zip', buffer: good });
  await page.getByTestId('import-start').click();
  await page.waitForURL((url) => /^\/replays\/[0-9a-f-]{36}$/.test(url.pathname));
  await hydrated(page);
  await expect(page.getByTestId('replay-title')).toHaveText('导入的回放');
  await expect(page.locator('[data-testid="replay-workflow"] [data-status="draft"]')).toBeVisible();
  // Discarded again, so the demo's list stays as it was.
  await page.getByTestId('discard-replay').click();
  await page.getByTestId('discard-confirm').click();
  await page.waitForURL((url) => url.pathname === '/replays');
});

test('the replay pages read well on a phone and in English', async ({ browser }) => {
  test.setTimeout(240_000);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signIn(page, 'chen.jing');
  const fits = async () => {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(wide).toBeLessThanOrEqual(0);
  };
  await page.goto('/replays');
  await hydrated(page);
  await fits();
  expect(await serious(page)).toEqual([]);
  await recorderOnAClip(page);
  await fits();
  expect(await serious(page)).toEqual([]);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('record-start')).toHaveText('Record');
  expect(await serious(page)).toEqual([]);
  await page.goto('/replays');
  await hydrated(page);
  await expect(page.locator('h1')).toHaveText('Guidance replays');
  await fits();
  expect(await serious(page)).toEqual([]);
});
