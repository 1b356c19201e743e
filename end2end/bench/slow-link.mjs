// `make bench`: what a community doctor waits for on a 4G link. A demo SonoHub (release build)
// is opened in Chromium with its network emulation (9 Mbit/s down, 3 up, 170 ms round trip) and
// a cold cache each time: the sign-in page and the case library until they are interactive
// (hydrated), and a case page until the first frame of its clip is drawn. For each, what was
// fetched from /pkg/ (the wasm modules and their JS, not the style sheet) before that moment, counted as gzip -9
// bytes, beside the whole bundle. Writes the table into ../../BENCHMARKS.md between the
// first-load markers. `node bench/slow-link.mjs [RUNS] [BASE_URL]`: with a BASE_URL it measures
// that server instead and writes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, signIn } from '../browse.mjs';
import { freePort, gzipSize, startProcess } from './net.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const runs = Number(process.argv[2] ?? 5);
const given = process.argv[3];
const GOAL_KB = 400;

let server;
let base = given;
if (!given) {
  const work = path.join(root, 'target/bench-first-load');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = startProcess(
    path.join(root, 'target/release/sonohub'),
    ['serve', '--demo', '--data', path.join(work, 'data'), '--addr', `127.0.0.1:${port}`],
    { SONOHUB_DEMO_ARCHIVE: 'off', RUST_LOG: 'warn,server=info' },
    path.join(work, 'serve.log'),
  );
  await server.seen('demo case library seeded', 1200);
}

const browser = await launch();
const chromium = browser.version();

const sized = new Map();
/** The gzip -9 size of a file the server serves under /pkg/ (fetched once, unthrottled). */
function gzipBytes(p) {
  if (!sized.has(p)) {
    sized.set(p, fetch(`${base}${p}`).then(async (res) => {
      if (!res.ok) throw new Error(`${p}: ${res.status}`);
      return gzipSync(Buffer.from(await res.arrayBuffer()), { level: 9 }).length;
    }));
  }
  return sized.get(p);
}

/** A page in a fresh context on the 4G profile, counting what it fetches from /pkg/. */
async function throttled(cookies = []) {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 170,
    downloadThroughput: (9 * 1000 * 1000) / 8,
    uploadThroughput: (3 * 1000 * 1000) / 8,
  });
  // What the page requested from /pkg/, sized afterwards: a wasm module compiled while it
  // streams in leaves no body for page.on('response') to read.
  const fetched = new Set();
  let counting = true;
  page.on('request', (req) => {
    const p = new URL(req.url()).pathname;
    if (counting && /^\/pkg\/.*\.(wasm|js)$/.test(p)) fetched.add(p);
  });
  /** Stops counting; the gzip bytes fetched until now. */
  const bytes = async () => {
    counting = false;
    const sizes = await Promise.all([...fetched].map(gzipBytes));
    return sizes.reduce((a, b) => a + b, 0);
  };
  return { context, page, bytes };
}

/** Opens `url` throttled and times it until `selector` shows. */
async function visit(url, selector, cookies) {
  const { context, page, bytes } = await throttled(cookies);
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(selector, { timeout: 180_000 });
  const ms = Date.now() - t0;
  const kb = (await bytes()) / 1024;
  await context.close();
  return { ms, kb };
}

// A learner's session and a case with a clip, found at full speed.
const setup = await browser.newContext();
const first = await setup.newPage();
await signIn(first, base, 'li.na');
await first.goto(`${base}/cases`);
await first.waitForSelector('a.case-card-link', { timeout: 120_000 });
const caseHref = await first.locator('a.case-card-link').first().getAttribute('href');
const cookies = await setup.cookies();
await setup.close();

const hydratedSel = 'body[data-hydrated="true"]';
const measures = {
  'sign-in page, interactive': { url: `${base}/login`, selector: hydratedSel, cookies: [] },
  'case library, interactive': { url: `${base}/cases`, selector: hydratedSel, cookies },
  'case page, first frame of its clip drawn': { url: `${base}${caseHref}`, selector: '.viewer[data-ready="true"]', cookies },
};
const results = {};
for (const name of Object.keys(measures)) results[name] = [];
for (let i = 0; i < runs; i++) {
  for (const [name, m] of Object.entries(measures)) {
    results[name].push(await visit(m.url, m.selector, m.cookies));
  }
}
await browser.close();
await server?.stop();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pkg = path.join(root, 'target/site/pkg');
const bundle = fs.readdirSync(pkg).filter((f) => /\.(wasm|js)$/.test(f));
const wholeKb = gzipSize(bundle.map((f) => path.join(pkg, f))) / 1024;
const wasmFiles = bundle.filter((f) => f.endsWith('.wasm')).length;

const lines = [
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus()[0].model.trim()}, ${os.cpus().length} cores; Chromium ${chromium} with a cold cache each time, median of ${runs} runs.${given ? '' : ` The whole bundle is ${wholeKb.toFixed(0)} KB gzip in ${wasmFiles} wasm modules.`}`,
  '',
  '| page on 4G (9 Mbit/s, 170 ms) | time (median) | fetched from /pkg/ before it (gzip) | goal |',
  '|---|---|---|---|',
];
for (const [name, rs] of Object.entries(results)) {
  const ms = median(rs.map((r) => r.ms));
  const kb = median(rs.map((r) => r.kb));
  const goal = name.includes('frame') ? 'not later than with one bundle' : `under ${GOAL_KB} KB`;
  lines.push(`| ${name} | ${(ms / 1000).toFixed(2)} s | ${kb.toFixed(0)} KB | ${goal} |`);
}
const table = lines.join('\n');
console.log(table);
if (!given) {
  const file = path.join(root, 'BENCHMARKS.md');
  let md = fs.readFileSync(file, 'utf8');
  const begin = '<!-- first-load:begin -->';
  const end = '<!-- first-load:end -->';
  if (!md.includes(begin)) {
    md += `\n## First visit on a community centre's 4G link\n\nGoals (issue 19): the sign-in and library pages interactive after under ${GOAL_KB} KB gzip from /pkg/; the first frame of a case clip not later than with one bundle. How it is measured: \`end2end/bench/slow-link.mjs\`.\n\n${begin}\n${end}\n`;
  }
  md = md.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
  fs.writeFileSync(file, md);
}
