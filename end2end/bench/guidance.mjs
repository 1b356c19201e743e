// `make bench`: live guidance and replays (issue 15), in Debian's Chromium against a release
// SonoHub with demo data, each figure beside a peer measured in the same run.
//
// 1. Live sync latency. Two browsers sign in as the expert and the doctor and join one live
//    session's WebSocket. The expert moves the pointer at 60 Hz; the doctor's page sends each
//    pointer straight back as its own. The round trip guide → server → doctor → server → guide
//    is timed on the guide's one clock (half of it is the one-way delay). The peer is a bare
//    WebSocket relay (the `ws` package, no checks, no recording) doing the same in the same
//    browser: what SonoHub's checks, rate limits and session record add.
// 2. Bytes per minute. A session sends viewer state, not pictures: the demo replays' event
//    streams (as the socket frames them) and their voices, per minute, against a screen
//    recording of the same replay (the player's own WebM export, VP8 + Opus, made by Chromium's
//    MediaRecorder in real time) and against the 4G uplink a picture stream would need.
// 3. A 5-minute replay. A package with a 5-minute timeline (pointer at 20 Hz, drawings,
//    view changes, chapters, remarks; 6,600+ events) and a 5-minute voice is imported; the
//    player's time to ready and the time a seek takes to show its state are measured, against
//    the shortest demo replay in the same browser.
// Writes the tables into ../../BENCHMARKS.md between the guidance markers.
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';

const root = path.resolve(import.meta.dirname, '../..');
const work = path.join(root, 'target/bench/guidance');
const sonohub = path.join(root, 'target/release/sonohub');
const PORT = 3121;
const PEER_PORT = 3122;
const BASE = `http://127.0.0.1:${PORT}`;
const SAMPLES = Number(process.env.BENCH_POINTERS ?? 1200);
const SEEKS = 15;
const PASSWORD = 'sonohub-demo';

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function startSonohub() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const child = spawn(sonohub, ['serve', '--demo', '--addr', `127.0.0.1:${PORT}`, '--dicom-addr', '127.0.0.1:0',
    '--data', path.join(work, 'data')], {
    env: { ...process.env, LEPTOS_SITE_ROOT: path.join(root, 'target/site'), RUST_LOG: 'warn', SONOHUB_DEMO_ARCHIVE: 'off' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('SonoHub did not start');
}

async function signedIn(browser, username) {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await page.goto('/login');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('form button[type="submit"]');
  await page.waitForURL((url) => url.pathname === '/');
  return page;
}

async function api(page, name, form) {
  const res = await page.request.post(`/api/${name}`, form ? { form } : {});
  if (!res.ok()) throw new Error(`${name}: ${res.status()} ${await res.text()}`);
  return res.json();
}

/** Polls `f` until it answers something truthy (the demo seeds in the background). */
async function until(what, f, seconds = 300) {
  for (let i = 0; i < seconds * 2; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`gave up waiting for ${what}`);
}

// ---- 1. live sync latency -------------------------------------------------------------------

/** The doctor's side: every pointer of the guide goes straight back as the doctor's own. */
function echo(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    window.__echo = { ws, received: 0, bytes: 0 };
    ws.onerror = () => reject(new Error('socket failed'));
    ws.onopen = () => resolve();
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      window.__echo.bytes += m.data.length;
      if (msg.type === 'event' && msg.action?.kind === 'pointer' && (msg.by ?? 0) === 0) {
        window.__echo.received += 1;
        ws.send(JSON.stringify({ type: 'event', action: msg.action }));
      }
    };
  });
}

/** The guide's side: `n` pointers at 60 Hz, each timed until it comes back from the doctor.
 *  Warm-up pointers (on row y = 5) go every half second until the first comes back. */
function drive({ url, n }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const sent = new Map();
    const rtt = [];
    let i = 0;
    let tick = 0;
    let bytesOut = 0;
    let warm = false;
    let timer;
    const key = (a) => `${a.x},${a.y}`;
    const send = (action) => {
      const text = JSON.stringify({ type: 'event', action });
      bytesOut += text.length;
      ws.send(text);
    };
    ws.onerror = () => reject(new Error('socket failed'));
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type !== 'event' || msg.action?.kind !== 'pointer' || (msg.by ?? 1) !== 1) return;
      if (msg.action.y === 5) {
        warm = true;
        return;
      }
      const at = sent.get(key(msg.action));
      if (at === undefined) return;
      rtt.push(performance.now() - at);
      if (rtt.length >= n) {
        clearInterval(timer);
        ws.close();
        resolve({ rtt, bytesOut });
      }
    };
    ws.onopen = () => {
      timer = setInterval(() => {
        tick += 1;
        if (!warm) {
          if (tick % 30 === 1) send({ kind: 'pointer', x: 10 + (tick % 500), y: 5 });
          if (tick > 60 * 60) {
            clearInterval(timer);
            reject(new Error('the other side never answered'));
          }
          return;
        }
        if (i >= n) return;
        const action = { kind: 'pointer', x: 20 + (i % 560), y: 20 + (Math.floor(i / 560) % 400) };
        sent.set(key(action), performance.now());
        send(action);
        i += 1;
        if (i === n) {
          setTimeout(() => {
            clearInterval(timer);
            reject(new Error(`only ${rtt.length} of ${n} pointers came back`));
          }, 10_000);
        }
      }, 1000 / 60);
    };
  });
}

async function latency(guide, doctor, guideUrl, doctorUrl) {
  await doctor.evaluate(echo, doctorUrl);
  const { rtt, bytesOut } = await guide.evaluate(drive, { url: guideUrl, n: SAMPLES });
  const doctorBytes = await doctor.evaluate(() => {
    window.__echo.ws.close();
    return window.__echo.bytes;
  });
  return { rtt, bytesOut, doctorBytes };
}

/** The guide's page: each pointer the app sends, with the time of the pointer move on the
 *  page that led to it (wall clock, shared by both pages' processes). */
function watchSends() {
  window.__sends = [];
  let input = 0;
  window.addEventListener('pointermove', () => { input = Date.now(); }, { capture: true });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const msg = JSON.parse(data);
      if (msg.type === 'event' && msg.action?.kind === 'pointer') {
        window.__sends.push({ key: `${Number(msg.action.x)},${Number(msg.action.y)}`, input, sent: Date.now() });
      }
    } catch {}
    return send.call(this, data);
  };
}

/** The doctor's page: when the other side's pointer is drawn at a new place (the frame after
 *  the overlay changed). */
function watchPointer() {
  window.__shown = [];
  let last = '';
  new MutationObserver(() => {
    const dot = document.querySelector('[data-testid="peer-pointer"] .peer-pointer-dot');
    if (!dot) return;
    const key = `${Number(dot.getAttribute('cx'))},${Number(dot.getAttribute('cy'))}`;
    if (key === last) return;
    last = key;
    const changed = Date.now();
    requestAnimationFrame(() => window.__shown.push({ key, changed, drawn: Date.now() }));
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['cx', 'cy'] });
}

/** Pointer moves on the expert's live page until each is drawn on the doctor's. */
async function pageToPage(chen, li, session, moves) {
  for (const p of [chen, li]) {
    await p.goto(`/guidance/${session}`);
    await p.waitForSelector('body[data-hydrated="true"]');
    await p.waitForSelector('.live-viewer .viewer[data-ready="true"]', { timeout: 60_000 });
    await p.waitForSelector('[data-testid="socket-state"][data-state="live"]', { timeout: 30_000 });
  }
  await chen.evaluate(watchSends);
  await li.evaluate(watchPointer);
  const canvas = chen.locator('.live-viewer .viewer canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  // Rows across the picture, never the same place twice (a place names its move).
  const perRow = 100;
  const rows = Math.ceil(moves / perRow);
  for (let k = 0; k < moves; k++) {
    const x = 0.1 + (0.8 * (k % perRow)) / perRow;
    const y = 0.1 + (0.8 * Math.floor(k / perRow)) / Math.max(1, rows - 1);
    await chen.mouse.move(box.x + box.width * x, box.y + box.height * y);
    await new Promise((r) => setTimeout(r, 16));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const sends = await chen.evaluate(() => window.__sends);
  const shown = new Map();
  for (const s of await li.evaluate(() => window.__shown)) {
    if (!shown.has(s.key)) shown.set(s.key, []);
    shown.get(s.key).push(s);
  }
  const delays = [];
  let lost = 0;
  for (const s of sends) {
    // The first time the doctor's page drew that place after the expert's page sent it.
    const seen = (shown.get(s.key) ?? []).find((v) => v.drawn >= s.sent);
    if (seen) delays.push(seen.drawn - s.input);
    else lost += 1;
  }
  // Off the live pages: the raw sockets below take the two seats.
  for (const p of [chen, li]) await p.goto('/');
  return { delays, sent: sends.length, lost };
}

function peerRelay() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: PEER_PORT });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      for (const other of wss.clients) {
        if (other !== socket && other.readyState === 1) other.send(data.toString());
      }
    });
  });
  return new Promise((resolve) => wss.on('listening', () => resolve(wss)));
}

async function liveSession(chen, li) {
  const clips = await until('the demo teaching clips', async () => {
    const c = await api(chen, 'guidance_clips');
    return c.length ? c : null;
  });
  const learners = await api(chen, 'guidance_learners');
  const doctor = learners.find((l) => l.username === 'li.na');
  const id = await api(chen, 'start_guidance', { sop_uid: clips[0].sop_uid, learner: doctor.id });
  await api(li, 'answer_guidance', { id, accept: 'true' });
  return id;
}

// ---- 2. bytes per minute --------------------------------------------------------------------

/** The replay's events as the socket frames them (`{"type":"event","t","by","action"}`). */
function wireBytes(timeline) {
  return timeline.events.reduce((n, e) => {
    const { t, by, ...action } = e;
    return n + JSON.stringify({ type: 'event', t, by: by ?? 0, action }).length;
  }, 0);
}

async function voiceBytes(page, replay) {
  let n = 0;
  for (const v of replay.voices) {
    const res = await page.request.get(v.url);
    n += (await res.body()).length;
  }
  return n;
}

async function exportWebm(page, id) {
  await page.goto(`/replays/${id}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.waitForSelector('.replay[data-ready="true"]', { timeout: 60_000 });
  await page.click('[data-testid="replay-export"]');
  const link = await page.waitForSelector('[data-testid="replay-download"]', { timeout: 300_000 });
  const href = await link.getAttribute('href');
  return page.evaluate(async (u) => (await (await fetch(u)).blob()).size, href);
}

// ---- 3. a 5-minute replay -------------------------------------------------------------------

function longPackage(sopUid) {
  const events = [];
  const D = 300_000;
  for (let t = 0; t <= D; t += 50) {
    const a = (t / 4000) * Math.PI;
    events.push({ t, kind: 'pointer', x: Math.round((320 + 180 * Math.cos(a)) * 10) / 10, y: Math.round((240 + 120 * Math.sin(a * 1.3)) * 10) / 10 });
  }
  for (let k = 0; k < 30; k++) {
    const t = k * 10_000;
    events.push({ t: t + 5, kind: 'view', frame: (k * 7) % 30, playing: k % 3 !== 2, speed: [1, 0.5, 1, 2][k % 4], loop: 'loop', zoom: k % 5 === 4 ? 2 : 1, pan: [0, 0] });
    events.push({
      t: t + 2000, kind: 'draw', id: k + 1, annotation: {
        shape: k % 2
          ? { kind: 'arrow', tail: { x: 100 + k * 5, y: 100 }, head: { x: 250, y: 200 + k } }
          : { kind: 'ellipse', center: { x: 300, y: 220 }, rx: 40 + k, ry: 30 },
        first_frame: 0, last_frame: 29,
      },
    });
    events.push({ t: t + 8000, kind: 'erase', id: k + 1 });
    if (k % 6 === 0) events.push({ t: t + 10, kind: 'chapter', title: `Chapter ${k / 6 + 1}` });
    if (k % 3 === 1) events.push({ t: t + 3000, kind: 'remark', text: `Remark ${k}: note the interface here.` });
  }
  events.sort((x, y) => x.t - y.t);
  const manifest = {
    format: 'sonohub-replay', version: 1, title: `Five minutes ${Date.now()}`, summary: 'Benchmark replay.',
    language: 'en', clip: { kind: 'dicom', sop_uid: sopUid },
    voices: [{ file: 'voice.ogg', speaker: 'Bench', by: 0, offset_ms: 0 }],
    timeline: { duration_ms: D, events },
  };
  const dir = path.join(work, 'long');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'replay.json'), JSON.stringify(manifest));
  // A 5-minute voice at the recorder's rate: a tone with a slow tremolo, Opus 16 kbit/s.
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=180:duration=300',
    '-af', 'tremolo=f=3:d=0.7', '-c:a', 'libopus', '-b:a', '16k', path.join(dir, 'voice.ogg')]);
  const zip = path.join(work, 'long.zip');
  execFileSync('python3', ['-c', `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[2] + '/replay.json', 'replay.json')
    z.write(sys.argv[2] + '/voice.ogg', 'voice.ogg')`, zip, dir]);
  return { bytes: fs.readFileSync(zip), events: events.length };
}

/** Time from navigation to a playable player, then seeks: each from the slider's input to the
 *  frame painted with the state of the new time (the player's `data-replay-t` at the target). */
async function openAndSeek(page, id, duration) {
  await page.goto(`/replays/${id}`);
  await page.waitForSelector('.replay[data-ready="true"]', { timeout: 120_000 });
  const ready = await page.evaluate(() => performance.now());
  const targets = Array.from({ length: SEEKS }, (_, k) => Math.round(((k * 7919) % SEEKS + 0.5) / SEEKS * duration));
  const seeks = [];
  for (const target of targets) {
    seeks.push(await page.evaluate((t) => new Promise((resolve) => {
      const root = document.querySelector('.replay');
      const slider = document.querySelector('[data-testid="replay-seek"]');
      const start = performance.now();
      slider.value = String(t);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      const check = () => {
        if (Number(root.dataset.replayT) === t) {
          // The state is in the page: one more frame and it is on screen.
          requestAnimationFrame(() => resolve(performance.now() - start));
        } else requestAnimationFrame(check);
      };
      check();
    }), target));
  }
  return { ready, seeks };
}

// ---- run --------------------------------------------------------------------------------------

if (!fs.existsSync(sonohub)) throw new Error('build first: target/release/sonohub is missing');
const server = await startSonohub();
const relay = await peerRelay();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
});
try {
  const chen = await signedIn(browser, 'chen.jing');
  const li = await signedIn(browser, 'li.na');

  const session = await liveSession(chen, li);
  const pages = await pageToPage(chen, li, session, Number(process.env.BENCH_MOVES ?? 600));
  const wsUrl = `ws://127.0.0.1:${PORT}/guidance/${session}/ws`;
  const ours = await latency(chen, li, wsUrl, wsUrl);
  await api(chen, 'end_guidance', { id: session });
  const peerUrl = `ws://127.0.0.1:${PEER_PORT}/`;
  const peer = await latency(chen, li, peerUrl, peerUrl);

  // The demo replays (published after the demo courses).
  const list = await until('the demo replays', async () => {
    const l = (await api(chen, 'replay_list')).filter((r) => r.status === 'published');
    return l.length >= 3 ? l : null;
  });
  const replays = [];
  for (const r of list) {
    const full = await api(chen, 'get_replay', { id: r.id });
    replays.push({ ...r, full, events: wireBytes(full.timeline), voice: await voiceBytes(chen, full) });
  }
  const shortest = replays.reduce((a, b) => (a.duration_ms <= b.duration_ms ? a : b));
  const webm = await exportWebm(chen, shortest.id);

  const clip = replays[0].full.clip.sop_uid;
  const pkg = longPackage(clip);
  const imported = await chen.request.post('/replays/import', { data: pkg.bytes, headers: { 'content-type': 'application/zip' } });
  if (!imported.ok()) throw new Error(`import: ${imported.status()} ${await imported.text()}`);
  const longId = (await imported.json()).id;
  const long = await openAndSeek(chen, longId, 300_000);
  const short = await openAndSeek(chen, shortest.id, shortest.duration_ms);
  await chen.request.post('/api/discard_replay', { form: { id: longId } });

  // ---- the tables ----
  const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
  const cpu = os.cpus()[0].model;
  const one = (xs) => xs.map((x) => x / 2);
  const perMin = (bytes, durMs) => bytes / (durMs / 60_000);
  const liveRow = (name, r) => `| ${name} | ${ms(median(one(r.rtt)))} | ${ms(quantile(one(r.rtt), 0.95))} | ${ms(median(r.rtt))} | ${ms(quantile(r.rtt, 0.95))} | ${ms(Math.max(...r.rtt))} |`;
  const streamRows = replays.map((r) => {
    const m = r.duration_ms / 60_000;
    return `| ${r.title} | ${(r.duration_ms / 1000).toFixed(0)} s | ${r.full.timeline.events.length} | ${kb(perMin(r.events, r.duration_ms))} | ${kb(perMin(r.voice, r.duration_ms))} (${r.voices} voice${r.voices > 1 ? 's' : ''}) | ${kb((r.events + r.voice) / m)} |`;
  });
  const sPerMin = perMin(webm, shortest.duration_ms);
  const ourMin = perMin(shortest.events + shortest.voice, shortest.duration_ms);
  const pointerPerMin = ours.doctorBytes / (SAMPLES / 60 / 60);
  const table = [
    `Measured ${when} UTC on ${cpu} (${os.cpus().length} cores), Chromium headless, server and both browsers on loopback (no network delay: what is measured is what SonoHub adds).`,
    '',
    `**Live sync latency, page to page**: the expert moves the pointer over the live page's clip (${pages.sent} pointers sent, at the page's 30 a second); from the pointer move on the expert's page to the frame that shows it on the doctor's page: p50 ${ms(median(pages.delays))}, p95 ${ms(quantile(pages.delays, 0.95))}, max ${ms(Math.max(...pages.delays))} (target p95 < 50 ms); ${pages.lost} of ${pages.sent} never shown (a later move replaced them on the doctor's screen within the same frame). Wall clock in both pages, 1 ms resolution.`,
    '',
    `**The socket alone** (${SAMPLES} pointer moves at 60 Hz, each sent back by the other side at once; one way = half the round trip):`,
    '',
    '| relay | one way p50 | one way p95 | round trip p50 | round trip p95 | round trip max |',
    '|---|---|---|---|---|---|',
    liveRow('SonoHub session (checked, rate-limited, recorded)', ours),
    liveRow('bare WebSocket relay (`ws`, peer)', peer),
    '',
    `SonoHub / peer, one way p50: ${(median(ours.rtt) / median(peer.rtt)).toFixed(2)}×; p95: ${(quantile(ours.rtt, 0.95) / quantile(peer.rtt, 0.95)).toFixed(2)}×. A pointer at 60 Hz, the busiest thing a session sends, is ${kb(pointerPerMin)} a minute as the other side receives it (${(pointerPerMin * 8 / 60 / 1000).toFixed(1)} kbit/s).`,
    '',
    '**Bytes per minute**: the demo replays as a session sends them (events as socket frames) and stores them (voices), against a screen recording of the same replay:',
    '',
    '| replay | length | events | events / min | voice / min | together / min |',
    '|---|---|---|---|---|---|',
    ...streamRows,
    '',
    `Screen recording of "${shortest.title}" (the player's WebM export: VP8 + Opus by Chromium's MediaRecorder, 640 × 480): ${kb(sPerMin)} a minute (${(sPerMin * 8 / 60 / 1000).toFixed(0)} kbit/s), ${(sPerMin / ourMin).toFixed(0)}× the replay's ${kb(ourMin)} a minute with its voice (${(100 * ourMin / sPerMin).toFixed(1)} % of the recording; target under 5 %) and ${(sPerMin / perMin(shortest.events, shortest.duration_ms)).toFixed(0)}× its events alone.`,
    '',
    `**A 5-minute replay** (${pkg.events} events, a 5-minute voice; package ${kb(pkg.bytes.length)}) against the shortest demo replay (${(shortest.duration_ms / 1000).toFixed(0)} s, ${shortest.full.timeline.events.length} events), same browser, same clip:`,
    '',
    '| replay | navigation to playable | seek p50 | seek p95 | seek max |',
    '|---|---|---|---|---|',
    `| 5 minutes | ${ms(long.ready)} | ${ms(median(long.seeks))} | ${ms(quantile(long.seeks, 0.95))} | ${ms(Math.max(...long.seeks))} |`,
    `| ${(shortest.duration_ms / 1000).toFixed(0)} s (peer) | ${ms(short.ready)} | ${ms(median(short.seeks))} | ${ms(quantile(short.seeks, 0.95))} | ${ms(Math.max(...short.seeks))} |`,
    '',
    `5-minute / short: ready ${(long.ready / short.ready).toFixed(2)}×, seek p50 ${(median(long.seeks) / median(short.seeks)).toFixed(2)}×. A seek is ${SEEKS} jumps spread over the replay, each timed from the slider's input to the next painted frame after the player shows the new time.`,
  ].join('\n');

  const file = path.join(root, 'BENCHMARKS.md');
  let md = fs.readFileSync(file, 'utf8');
  const begin = '<!-- guidance:begin -->';
  const end = '<!-- guidance:end -->';
  if (!md.includes(begin)) {
    md += `\n## Live guidance and replays\n\nWhat a live session costs in delay and bytes, and how a long replay starts and seeks (issue 15, \`end2end/bench/guidance.mjs\`). Both sides of a session already have the clip: a session sends the viewer's state, a few dozen bytes an event, plus voice. Peers: a bare WebSocket relay for the delay, the same replay as a screen recording for the bytes, a short replay for start and seek.\n\n${begin}\n${end}\n`;
  }
  md = md.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
  fs.writeFileSync(file, md);
  console.log(table);
} finally {
  await browser.close();
  relay.close();
  server.kill();
}
