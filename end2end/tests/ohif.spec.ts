// Conformance with a real DICOMweb viewer: OHIF 3 (its released build, ohif/fetch.mjs) opens a
// teaching clip from SonoHub's /dicom-web with the bearer token, draws its first frame and
// plays it; once with DICOMweb on OHIF's own origin (proxied to SonoHub, as a reverse proxy
// would) and once calling SonoHub's origin directly (CORS).
import { APIRequestContext, expect, Locator, Page, test, TestInfo } from '@playwright/test';
import { decodePng, litShare, meanDifference, Picture } from './png';

const TOKEN = process.env.SONOHUB_DICOMWEB_TOKEN!;
const CROSS_ORIGIN_PORT = Number(process.env.SONOHUB_E2E_OHIF_PORT);

/** A multi-frame teaching clip as QIDO-RS lists it. */
interface Clip {
  study: string;
  description: string;
  frames: number;
}

let clip: Clip | undefined;

/** A demo teaching study with a multi-frame clip (the first by description, so every run shows
 *  the same one), once the demo has imported it. */
async function teachingClip(request: APIRequestContext): Promise<Clip> {
  if (clip) return clip;
  const headers = { Authorization: `Bearer ${TOKEN}`, Accept: 'application/dicom+json' };
  const value = (json: any, tag: string) => json?.[tag]?.Value?.[0];
  await expect(async () => {
    const studies = await request.get('/dicom-web/studies', { headers });
    expect(studies.status()).toBe(200);
    const teaching = (await studies.json())
      .map((study: any) => ({ uid: String(value(study, '0020000D')), description: String(value(study, '00081030') ?? '') }))
      .filter(({ description }: { description: string }) => description.startsWith('Teaching clip'))
      .sort((a: { description: string }, b: { description: string }) => a.description.localeCompare(b.description));
    for (const { uid, description } of teaching) {
      const instances = await request.get(`/dicom-web/studies/${uid}/instances?includefield=00280008`, { headers });
      const frames = Math.max(0, ...(await instances.json()).map((i: any) => Number(value(i, '00280008') ?? 1)));
      if (frames > 1) {
        clip = { study: uid, description, frames };
        return;
      }
    }
    throw new Error('no multi-frame teaching clip in /dicom-web/studies yet');
  }).toPass({ timeout: 90_000 });
  return clip!;
}

/** Watches what passes between OHIF and DICOMweb. `broken` rejects at the first refused or
 *  failed DICOMweb request or page error, so a test stops there and says which request. */
function watch(page: Page, dicomWebRoot: string) {
  const trouble: string[] = [];
  const requests: string[] = [];
  let fail: (error: Error) => void = () => {};
  const broken = new Promise<never>((_, reject) => (fail = reject));
  broken.catch(() => {});
  const note = (line: string, fatal: boolean) => {
    trouble.push(line);
    if (fatal) fail(new Error(`OHIF and SonoHub's DICOMweb:\n${trouble.join('\n')}`));
  };
  page.on('request', (r) => {
    if (r.url().startsWith(dicomWebRoot)) requests.push(`${r.method()} ${r.url()}  Accept: ${r.headers()['accept']}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') note(`console: ${m.text().slice(0, 600)}`, false);
  });
  page.on('response', async (r) => {
    if (!r.url().startsWith(dicomWebRoot) || r.status() < 400) return;
    const body = await r.text().catch(() => '');
    note(
      `${r.status()} ${r.request().method()} ${r.url()}\n  Accept: ${r.request().headers()['accept']}\n` +
        `  Content-Type: ${r.headers()['content-type']}\n  ${body.slice(0, 300)}`,
      true,
    );
  });
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText ?? '';
    // OHIF cancels requests it no longer needs (thumbnails, prefetch): not a failure.
    if (r.url().startsWith(dicomWebRoot) && error !== 'net::ERR_ABORTED') {
      note(`failed ${r.method()} ${r.url()}: ${error}`, true);
    }
  });
  page.on('pageerror', (e) => note(`page error: ${e.message}`, true));
  return { trouble, requests, broken };
}

/** The viewport canvas as drawn on screen (WebGL buffers need not be readable afterwards). */
async function drawn(canvas: Locator): Promise<Picture> {
  return decodePng(await canvas.screenshot());
}

async function viewClip(page: Page, request: APIRequestContext, testInfo: TestInfo, crossOrigin: boolean) {
  const shown = await teachingClip(request);
  const { startOhif } = await import('../ohif/serve.mjs');
  const sonohub = new URL(testInfo.project.use.baseURL!).origin;
  const ohif = await startOhif({ sonohub, token: TOKEN, crossOrigin, port: crossOrigin ? CROSS_ORIGIN_PORT : 0 });
  const { trouble, requests, broken } = watch(page, ohif.dicomWebRoot);
  try {
    if (crossOrigin) {
      await test.step("SonoHub answers the browser's preflight for OHIF's origin", async () => {
        const preflight = await request.fetch(`${ohif.dicomWebRoot}/studies`, {
          method: 'OPTIONS',
          headers: {
            Origin: ohif.origin,
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': 'authorization',
          },
        });
        const headers = preflight.headers();
        const seen = `${preflight.status()} ${JSON.stringify(headers)}`;
        expect(preflight.ok(), seen).toBe(true);
        expect(headers['access-control-allow-origin'], seen).toBe(ohif.origin);
        // `*` would not do: it never covers Authorization.
        expect(headers['access-control-allow-headers']?.toLowerCase(), seen).toContain('authorization');
      });
    }
    const shots = crossOrigin ? 'ohif-cross-origin' : 'ohif-same-origin';
    await Promise.race([broken, viewAndPlay(page, testInfo, ohif.origin, shown, shots)]);
    expect(trouble, trouble.join('\n')).toEqual([]);
  } finally {
    await testInfo.attach('dicomweb-requests', { body: requests.join('\n'), contentType: 'text/plain' });
    if (trouble.length) await testInfo.attach('dicomweb-trouble', { body: trouble.join('\n\n'), contentType: 'text/plain' });
    await ohif.close();
  }
}

/** A person's steps: the study list, the clip in the viewer, its first frame, then play;
 *  a screenshot of each of the last two (`shots`-first-frame.png, `shots`-playing.png). */
async function viewAndPlay(page: Page, testInfo: TestInfo, origin: string, shown: Clip, shots: string) {
  await test.step("OHIF's study list lists the teaching clip and opens it", async () => {
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Confirm and hide' }).click();
    await page.getByRole('row').filter({ hasText: shown.description }).first().click();
    await page.getByRole('button', { name: 'Basic Viewer' }).click();
    await page.waitForURL((url) => url.pathname === '/viewer' && url.search.includes(shown.study));
  });

  const canvas = page.locator('[data-cy="viewport-pane"] canvas.cornerstone-canvas').first();
  await test.step('the first frame is drawn', async () => {
    await expect(page.getByText(`(1/${shown.frames})`)).toBeVisible();
    await expect.poll(async () => litShare(await drawn(canvas)), { timeout: 20_000 }).toBeGreaterThan(0.05);
    await page.screenshot({ path: testInfo.outputPath(`${shots}-first-frame.png`) });
  });

  await test.step('the clip plays', async () => {
    const play = page.locator('[data-cy="cine-player-play-pause"]');
    // A canvas showing one frame screenshots the same every time (a difference of 0); the
    // demo clips' frames differ by 1.3 to 30 grey levels on average.
    const still = await drawn(canvas);
    expect(meanDifference(still, await drawn(canvas)), 'a paused clip stays put').toBeLessThan(1);
    await play.click();
    await expect.poll(async () => meanDifference(still, await drawn(canvas)), { timeout: 10_000 }).toBeGreaterThan(1);
    // Still moving: not one jump to another frame but frame after frame.
    const moving = await drawn(canvas);
    await expect.poll(async () => meanDifference(moving, await drawn(canvas)), { timeout: 10_000 }).toBeGreaterThan(1);
    expect(litShare(moving)).toBeGreaterThan(0.05);
    await page.screenshot({ path: testInfo.outputPath(`${shots}-playing.png`) });
  });
}

test.describe('OHIF reads a teaching clip over DICOMweb', () => {
  test.setTimeout(120_000);
  test.use({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });

  test('same origin (DICOMweb proxied): first frame drawn, cine plays', async ({ page, request }, testInfo) => {
    await viewClip(page, request, testInfo, false);
  });

  test('from its own origin with CORS: first frame drawn, cine plays', async ({ page, request }, testInfo) => {
    await viewClip(page, request, testInfo, true);
  });
});
