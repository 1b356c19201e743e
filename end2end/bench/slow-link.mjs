// Times what a community doctor waits for on a 4G link (Chromium's network emulation: 9 Mbit/s
// down, 170 ms round trip, a cold cache): the sign-in page until it is interactive (hydrated),
// and a case page until the first frame of its clip is drawn.
// node bench/slow-link.mjs BASE_URL [RUNS]  →  one JSON line with the medians in ms.
import { launch, signIn } from '../browse.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const runs = Number(process.argv[3] ?? 3);
const browser = await launch();

async function throttled(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 170,
    downloadThroughput: (9 * 1024 * 1024) / 8,
    uploadThroughput: (3 * 1024 * 1024) / 8,
  });
  return page;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A case with a clip, found at full speed.
const setup = await browser.newContext();
const first = await setup.newPage();
await signIn(first, base, 'li.na');
await first.goto(`${base}/cases`);
await first.waitForSelector('a.case-card-link', { timeout: 120_000 });
const caseHref = await first.locator('a.case-card-link').first().getAttribute('href');
const cookies = await setup.cookies();
await setup.close();

const login = [];
const frame = [];
for (let i = 0; i < runs; i++) {
  {
    const context = await browser.newContext();
    const page = await throttled(context);
    const t0 = Date.now();
    await page.goto(`${base}/login`, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120_000 });
    login.push(Date.now() - t0);
    await context.close();
  }
  {
    const context = await browser.newContext();
    await context.addCookies(cookies);
    const page = await throttled(context);
    const t0 = Date.now();
    await page.goto(`${base}${caseHref}`, { waitUntil: 'commit' });
    await page.waitForSelector('.viewer[data-ready="true"]', { timeout: 120_000 });
    frame.push(Date.now() - t0);
    await context.close();
  }
}
await browser.close();
console.log(JSON.stringify({
  profile: '4G 9 Mbit/s 170 ms, cold cache',
  runs,
  signin_interactive_ms: median(login),
  case_first_frame_ms: median(frame),
  all: { login, frame },
}));
