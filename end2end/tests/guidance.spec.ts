// A live guidance session between two browsers, as the two people use it: the expert
// (chen.jing) starts a session on a teaching clip and invites the community doctor (li.na),
// who accepts; both open it, the voice call connects (Chromium's fake microphone on both
// sides), the expert's pointer and a drawing appear on the doctor's page, the expert ends it,
// each side's recording goes into the replay draft, and the draft holds both voices.
import { expect, Page, test } from '@playwright/test';
import { hydrated, serious, signIn } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The live viewer's picture, once its clip is on screen. */
async function liveViewer(page: Page) {
  await expect(page.getByTestId('guidance-live')).toBeVisible({ timeout: 30_000 });
  const viewer = page.locator('.live-viewer .viewer');
  await expect(viewer).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  return viewer;
}

test('an expert guides a doctor live; the session becomes a replay draft with both voices', async ({ browser }) => {
  test.setTimeout(300_000);
  const chen = await (await browser.newContext()).newPage();
  await signIn(chen, 'chen.jing');

  // The demo library is published in the background at start: wait for its clips.
  await expect(async () => {
    await chen.goto('/guidance');
    await hydrated(chen);
    expect(await chen.locator('[data-testid="clip"] option').count()).toBeGreaterThan(1);
  }).toPass({ timeout: 180_000 });
  const clip = await chen.locator('[data-testid="clip"] option').nth(1).getAttribute('value');
  await chen.getByTestId('clip').selectOption(clip!);
  const learner = await chen.locator('[data-testid="learner"] option', { hasText: 'li.na' }).getAttribute('value');
  await chen.getByTestId('learner').selectOption(learner!);
  await chen.getByTestId('start').click();
  await chen.waitForURL((url) => /^\/guidance\/[0-9a-f-]{36}$/.test(url.pathname), { timeout: 30_000 });
  const session = new URL(chen.url()).pathname;
  await hydrated(chen);
  await expect(chen.getByTestId('waiting')).toBeVisible();

  // The doctor finds the invitation in the list and accepts it.
  const li = await (await browser.newContext()).newPage();
  await signIn(li, 'li.na');
  await li.goto('/guidance');
  await hydrated(li);
  await li.locator(`[data-testid="guidance-item"][data-status="invited"] a[href="${session}"]`).first().click();
  await li.waitForURL((url) => url.pathname === session);
  await hydrated(li);
  await li.getByTestId('accept').click();

  // Both on the live page: connected to each other, the call up, the clip on screen.
  const doctorsViewer = await liveViewer(li);
  const expertsViewer = await liveViewer(chen);
  for (const page of [chen, li]) {
    await expect(page.getByTestId('socket-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
    await expect(page.getByTestId('peer-state')).toHaveAttribute('data-online', 'true', { timeout: 20_000 });
    await expect(page.getByTestId('mic-state')).toHaveAttribute('data-state', 'on', { timeout: 20_000 });
    await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  }
  await expect(li.getByTestId('guidance-live')).toHaveAttribute('data-me', '1');

  // The expert points: the pointer appears on the doctor's picture.
  const canvas = expertsViewer.locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await chen.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
  await chen.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.45, { steps: 5 });
  await expect(doctorsViewer.getByTestId('peer-pointer')).toHaveCount(1, { timeout: 10_000 });
  await expect(doctorsViewer.getByTestId('peer-pointer')).toHaveAttribute('data-side', '0');

  // The expert draws an arrow: it appears on the doctor's picture, in the other side's colour.
  await expertsViewer.getByRole('button', { name: '箭头', exact: true }).click();
  // Measured again: reaching the tool's button may have scrolled the page.
  await canvas.scrollIntoViewIfNeeded();
  const at = (await canvas.boundingBox())!;
  await chen.mouse.move(at.x + at.width * 0.3, at.y + at.height * 0.3);
  await chen.mouse.down();
  await chen.mouse.move(at.x + at.width * 0.45, at.y + at.height * 0.4, { steps: 4 });
  await chen.mouse.move(at.x + at.width * 0.6, at.y + at.height * 0.5, { steps: 4 });
  await chen.mouse.up();
  await expect(expertsViewer.locator('.viewer-overlay .ann-arrow')).toHaveCount(1);
  const arrow = doctorsViewer.locator('.viewer-overlay .ann-arrow');
  await expect(arrow).toHaveCount(1, { timeout: 10_000 });
  await expect(arrow.locator('line')).toHaveAttribute('stroke', '#4fc3f7');

  // The doctor cannot steer until allowed; the page says who steers.
  await expect(li.locator('.live-viewer [data-testid="play"]')).toBeDisabled();
  expect(await serious(li)).toEqual([]);

  // The expert ends the session.
  await chen.getByTestId('end-session').click();
  await chen.getByTestId('end-confirm').click();
  for (const page of [chen, li]) {
    await expect(page.getByTestId('session-ended')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('voice-status')).toHaveAttribute('data-state', 'saved', { timeout: 30_000 });
  }
  await expect(chen.getByTestId('replay-voices')).toHaveAttribute('data-count', '2', { timeout: 30_000 });

  // The replay draft: the timeline of the session with the arrow, and both voices.
  const href = await chen.getByTestId('replay-link').getAttribute('href');
  const id = href!.split('/').pop()!;
  const replay: Json = await (await chen.request.post('/api/get_replay', { form: { id } })).json();
  expect(replay.status).toBe('draft');
  expect(replay.title).toMatch(/^远程指导：/);
  expect(replay.timeline.events.some((e: Json) => e.kind === 'draw')).toBe(true);
  expect(replay.timeline.events.some((e: Json) => e.kind === 'pointer' && (e.by ?? 0) === 0)).toBe(true);
  expect(replay.voices.map((v: Json) => v.by).sort()).toEqual([0, 1]);
  expect(replay.voices.map((v: Json) => v.speaker).sort()).toEqual(['李娜 Li Na', '陈静 Chen Jing']);
  for (const voice of replay.voices) {
    expect(Math.abs(voice.offset_ms)).toBeLessThan(replay.timeline.duration_ms);
    // Each side's recording holds seconds of sound, not just a container's header.
    const media = await chen.request.get(voice.url);
    expect(media.status()).toBe(200);
    expect((await media.body()).length).toBeGreaterThan(2_000);
  }
});

test('the guidance pages work on a phone and refuse a third person', async ({ browser }) => {
  const zhang = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await signIn(zhang, 'zhang.wei');
  await zhang.goto('/guidance');
  await hydrated(zhang);
  await expect(zhang.getByTestId('request-form')).toBeVisible();
  await expect(zhang.getByRole('combobox', { name: '片段' })).toBeVisible();
  expect(await serious(zhang)).toEqual([]);
  const width = await zhang.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);

  // Somebody else's session (chen.jing's with li.na) does not exist for them.
  const chen = await (await browser.newContext()).newPage();
  await signIn(chen, 'chen.jing');
  let clips: Json[] = [];
  await expect(async () => {
    clips = await (await chen.request.post('/api/guidance_clips')).json();
    expect(clips.length).toBeGreaterThan(0);
  }).toPass({ timeout: 180_000 });
  const learners: Json[] = await (await chen.request.post('/api/guidance_learners')).json();
  const li = learners.find((l) => l.username === 'li.na');
  const started = await chen.request.post('/api/start_guidance', {
    form: { sop_uid: clips[0].sop_uid, learner: li.id },
  });
  expect(started.status()).toBe(200);
  const id: string = await started.json();
  const answer = await zhang.goto(`/guidance/${id}`);
  expect(answer!.status()).toBe(404);
  await hydrated(zhang);
  await expect(zhang.locator('main [role="alert"]')).toBeVisible();
});
