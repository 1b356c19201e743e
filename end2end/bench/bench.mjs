// `make bench`: SonoHub's cine viewer against dwv and Cornerstone3D (npm) in Debian's Chromium,
// same clips, same run. For each clip: time from the last byte in memory to the first frame on
// screen, decode speed over the whole clip (for a clip SonoHub converts as it draws, the time
// until every frame can be drawn), then playback at the clip's own rate once decoded (frames
// shown and dropped). Writes the table into ../../BENCHMARKS.md between the cine markers.
import { chromium } from '@playwright/test';
import * as esbuild from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gzipSize } from './net.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const work = path.join(root, 'target/bench');
const sonohub = path.join(root, 'target/release/sonohub');
// The wasm bundle the server hands out; LEPTOS_SITE_ROOT points at another build's.
const siteRoot = path.resolve(root, process.env.LEPTOS_SITE_ROOT ?? 'target/site');
const nodeModules = path.join(root, 'end2end/node_modules');
// Cornerstone3D as a deployment would ship it: bundled at the start of the run.
const cornerstoneOut = path.join(work, 'cornerstone');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PLAY_MS = 3000;
const PORT = 3118;
const PEER_PORT = 3119;

const clips = [
  { name: 'JPEG baseline 640×480, 100 frames, 30 fps', args: ['--syntax', 'jpeg', '--fps', '30'] },
  { name: 'JPEG baseline 640×480, 100 frames, 60 fps', args: ['--syntax', 'jpeg', '--fps', '60'] },
  { name: 'RLE lossless 640×480, 100 frames, 30 fps', args: ['--syntax', 'rle', '--fps', '30'] },
  { name: 'uncompressed RGB 640×480, 100 frames, 30 fps', args: ['--syntax', 'rgb', '--fps', '30'] },
  { name: 'MPEG-4 AVC/H.264 640×480, 100 frames, 30 fps', args: ['--syntax', 'rgb', '--fps', '30'], h264: true },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rawSize = (files) => files.reduce((n, f) => n + fs.statSync(f).size, 0);
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

function makeClips() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  clips.forEach((c, i) => {
    c.file = path.join(work, `clip-${i}.dcm`);
    execFileSync(sonohub, ['dicom', 'synth', '--out', c.file, '--frames', '100', '--width', '640', '--height', '480', ...c.args]);
    if (c.h264) {
      const rgb = c.file.replace(/\.dcm$/, '-rgb.dcm');
      fs.renameSync(c.file, rgb);
      execFileSync('python3', [path.join(root, 'end2end/fixtures/h264_clip.py'), rgb, c.file], {
        env: { ...process.env, PYTHONPATH: path.join(root, 'target/pylib') },
      });
    }
    c.fps = Number(c.args[c.args.indexOf('--fps') + 1]);
    c.bytes = fs.statSync(c.file).size;
  });
}

/** Bundles cornerstone-peer.mjs (core + DICOM image loader) and the loader's decode worker with
 *  esbuild into target/bench/cornerstone/, next to the wasm codecs the worker may fetch. */
async function bundleCornerstone() {
  const loader = path.join(nodeModules, '@cornerstonejs/dicom-image-loader/dist/esm');
  await esbuild.build({
    // The loader starts its worker as `new URL('./decodeImageFrameWorker.js', import.meta.url)`,
    // which esbuild leaves alone: built as a second entry it lands beside the page's bundle.
    entryPoints: {
      'cornerstone-peer': path.join(import.meta.dirname, 'cornerstone-peer.mjs'),
      decodeImageFrameWorker: path.join(loader, 'decodeImageFrameWorker.js'),
    },
    outdir: cornerstoneOut,
    bundle: true,
    format: 'esm',
    minify: true,
    logLevel: 'warning',
    plugins: [{
      name: 'browser-only',
      setup(build) {
        // core imports vtk.js's XML readers, which import xmlbuilder2: take the browser build
        // that package ships rather than its Node entry (Node's events, url).
        build.onResolve({ filter: /^xmlbuilder2$/ }, () => ({ path: path.join(nodeModules, 'xmlbuilder2/lib/xmlbuilder2.min.js') }));
        // The emscripten codecs name fs and path on their Node-only branch.
        build.onResolve({ filter: /^(fs|path)$/ }, (args) => ({ path: args.path, namespace: 'node-only' }));
        build.onLoad({ filter: /.*/, namespace: 'node-only' }, () => ({ contents: 'module.exports = {};' }));
      },
    }],
  });
  // The worker fetches a codec's wasm the first time a clip needs it, from the loader's
  // wasmBasePath (this folder); JPEG baseline colour, RLE and uncompressed need none.
  const codecs = {
    'codec-libjpeg-turbo-8bit': 'libjpegturbowasm_decode.wasm',
    'codec-charls': 'charlswasm_decode.wasm',
    'codec-openjpeg': 'openjpegwasm_decode.wasm',
    'codec-openjph': 'openjphjs.wasm',
    'codec-libjxl': 'jpegxlwasm_decode.wasm',
  };
  for (const [codec, wasm] of Object.entries(codecs)) {
    fs.copyFileSync(path.join(nodeModules, '@cornerstonejs', codec, 'dist', wasm), path.join(cornerstoneOut, wasm));
  }
}

/** Cornerstone3D's files the peer pages fetched, for its download size. */
const cornerstoneFetched = new Set();

/** Static files for the peer pages: this folder, end2end/node_modules and the Cornerstone3D
 *  bundle, on loopback. */
function peerServer() {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    // dwv starts its decoding workers from assets/ next to the page.
    const [base, rel] = url.pathname.startsWith('/bench/assets/')
      ? [path.join(nodeModules, 'dwv/dist/assets'), url.pathname.slice('/bench/assets/'.length)]
      : url.pathname.startsWith('/clips/')
        ? [work, url.pathname.slice('/clips/'.length)]
        : url.pathname.startsWith('/cornerstone/')
        ? [cornerstoneOut, url.pathname.slice('/cornerstone/'.length)]
        : url.pathname.startsWith('/bench/')
        ? [import.meta.dirname, url.pathname.slice('/bench/'.length)]
        : [path.join(root, 'end2end'), url.pathname.slice(1)];
    const file = path.resolve(base, rel);
    if (!file.startsWith(base) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    if (base === cornerstoneOut) cornerstoneFetched.add(file);
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(PEER_PORT, '127.0.0.1', () => resolve(server)));
}

async function startSonohub() {
  const data = path.join(work, 'data');
  const child = spawn(sonohub, ['serve', '--demo', '--addr', `127.0.0.1:${PORT}`, '--dicom-addr', '127.0.0.1:0', '--data', data], {
    env: { ...process.env, LEPTOS_SITE_ROOT: siteRoot, RUST_LOG: 'warn' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('SonoHub did not start');
}

async function sonohubRun(page, clip) {
  await page.goto(`http://127.0.0.1:${PORT}/viewer`);
  await page.waitForSelector('body[data-hydrated="true"]');
  if (new URL(page.url()).pathname !== '/viewer') throw new Error(`expected the viewer, got ${page.url()}`);
  await page.locator('[data-testid="local-file"]').setInputFiles(clip.file);
  const viewer = page.locator('.viewer');
  await page.waitForFunction(() => document.querySelector('.viewer')?.hasAttribute('data-decoded-ms'), null, { timeout: 120_000 });
  const firstFrameMs = Number(await viewer.getAttribute('data-first-frame-ms'));
  const allDecodedMs = Number(await viewer.getAttribute('data-decoded-ms'));
  const decoder = await viewer.getAttribute('data-decoder');
  await page.getByTestId('play').click();
  const play = await page.evaluate(async (ms) => {
    const v = document.querySelector('.viewer');
    let shown = 0;
    let last = v.getAttribute('data-frame');
    const t0 = performance.now();
    await new Promise((resolve) => {
      const tick = () => {
        const now = v.getAttribute('data-frame');
        if (now !== last) shown += 1;
        last = now;
        if (performance.now() - t0 < ms) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    return { dropped: Number(v.getAttribute('data-dropped')), elapsed: performance.now() - t0, shown };
  }, PLAY_MS);
  await page.getByTestId('play').click();
  return { firstFrameMs, allDecodedMs, decoder, dropped: play.dropped, shown: play.shown, elapsed: play.elapsed };
}

async function peerRun(page, clip) {
  await page.goto(`http://127.0.0.1:${PEER_PORT}/bench/peer.html`);
  await page.waitForFunction(() => window.dwvReady === true);
  const load = await page.evaluate((url) => window.loadInDwv(url), `/clips/${path.basename(clip.file)}`);
  const play = await page.evaluate((ms) => window.playInDwv(ms), PLAY_MS);
  return { ...load, shown: play.shown, elapsed: play.ms };
}

async function cornerstoneRun(page, clip) {
  await page.goto(`http://127.0.0.1:${PEER_PORT}/bench/cornerstone-peer.html`);
  await page.waitForFunction(() => window.csReady === true);
  const load = await page.evaluate((url) => window.loadInCornerstone(url), `/clips/${path.basename(clip.file)}`);
  const play = await page.evaluate((ms) => window.playInCornerstone(ms), PLAY_MS);
  return { ...load, shown: play.shown, elapsed: play.ms };
}

async function main() {
  if (!fs.existsSync(sonohub)) throw new Error('build first: target/release/sonohub is missing');
  makeClips();
  await bundleCornerstone();
  const server = await startSonohub();
  const peer = await peerServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const rows = [];
  try {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/login`);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.fill('#username', 'li.na');
    await page.fill('#password', 'sonohub-demo');
    await page.click('form button[type="submit"]');
    await page.waitForURL((u) => u.pathname === '/');
    await page.close();
    const peerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // BENCH_ONLY=h264 (a word of the clip name) runs one clip, for a quick look.
    for (const clip of clips.filter((c) => !process.env.BENCH_ONLY || c.name.toLowerCase().includes(process.env.BENCH_ONLY))) {
      const ours = [];
      const theirs = [];
      const cornerstone = [];
      // Fresh tabs per clip; the first run of each side warms its code (wasm tier-up, JIT)
      // and is not counted, as for a doctor who has opened a clip before.
      const ourTab = await context.newPage();
      const peerTab = await peerContext.newPage();
      const csTab = await peerContext.newPage();
      const failed = (e) => ({ error: String(e.message ?? e).split('\n')[0].replace(/^page\.evaluate: (Error: )*/, '') });
      for (let i = 0; i <= RUNS; i++) {
        const mine = await sonohubRun(ourTab, clip);
        const peer = await peerRun(peerTab, clip).catch(failed);
        const cs = await cornerstoneRun(csTab, clip).catch(failed);
        if (i > 0) {
          ours.push(mine);
          theirs.push(peer);
          cornerstone.push(cs);
        }
      }
      await ourTab.close();
      await peerTab.close();
      await csTab.close();
      const peerOk = theirs.every((r) => !r.error);
      const csOk = cornerstone.every((r) => !r.error);
      if (!peerOk) console.log(`dwv: ${theirs.find((r) => r.error).error}`);
      if (!csOk) console.log(`Cornerstone3D: ${cornerstone.find((r) => r.error).error}`);
      const row = {
        peerOk,
        csOk,
        // Why a peer could not open the clip, for the line under the table.
        pError: peerOk ? undefined : theirs.find((r) => r.error).error,
        cError: csOk ? undefined : cornerstone.find((r) => r.error).error,
        clip: clip.name,
        mb: (clip.bytes / 1048576).toFixed(1),
        fps: clip.fps,
        decoder: ours[0].decoder,
        sFirst: median(ours.map((r) => r.firstFrameMs)),
        pFirst: peerOk ? median(theirs.map((r) => r.firstFrameMs)) : NaN,
        sFps: median(ours.map((r) => (100 * 1000) / r.allDecodedMs)),
        // A native clip has nothing to decode: the time until every frame can be drawn.
        sReady: median(ours.map((r) => r.allDecodedMs)),
        pFps: peerOk ? median(theirs.map((r) => (r.frames * 1000) / r.allDecodedMs)) : NaN,
        pReady: peerOk ? median(theirs.map((r) => r.allDecodedMs)) : NaN,
        pFrames: peerOk ? theirs[0].frames : 100,
        sDropped: median(ours.map((r) => r.dropped)),
        sExpected: Math.round((clip.fps * PLAY_MS) / 1000),
        sShownFps: median(ours.map((r) => (r.shown * 1000) / r.elapsed)),
        pShownFps: peerOk ? median(theirs.map((r) => (r.shown * 1000) / r.elapsed)) : NaN,
        cFirst: csOk ? median(cornerstone.map((r) => r.firstFrameMs)) : NaN,
        cFps: csOk ? median(cornerstone.map((r) => (r.frames * 1000) / r.allDecodedMs)) : NaN,
        cReady: csOk ? median(cornerstone.map((r) => r.allDecodedMs)) : NaN,
        cFrames: csOk ? cornerstone[0].frames : 100,
        cShownFps: csOk ? median(cornerstone.map((r) => (r.shown * 1000) / r.elapsed)) : NaN,
        cRendering: csOk ? cornerstone[0].rendering : undefined,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await browser.close();
    peer.close();
    server.kill();
  }

  const pkg = path.join(siteRoot, 'pkg');
  const ourFiles = fs.readdirSync(pkg).filter((f) => /\.(wasm|js)$/.test(f)).map((f) => path.join(pkg, f));
  const nm = nodeModules;
  const peerFiles = ['dwv/dist/dwv.min.js', 'konva/lib/index.js', 'jszip/dist/jszip.min.js', 'magic-wand-tool/dist/magic-wand.js', 'dwv/dist/assets/workers/jpegbaseline.worker.min.js', 'dwv/dist/assets/workers/rle.worker.min.js']
    .map((f) => path.join(nm, f));
  const konvaDir = path.join(nm, 'konva/lib');
  const konvaFiles = fs.readdirSync(konvaDir, { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => path.join(konvaDir, f));
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
  const chromiumVersion = execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  const dwvVersion = JSON.parse(fs.readFileSync(path.join(nm, 'dwv/package.json'))).version;
  const csVersion = (name) => JSON.parse(fs.readFileSync(path.join(nm, '@cornerstonejs', name, 'package.json'))).version;
  // The bundle, the decode worker and whichever wasm codecs the worker fetched during the run.
  const csFiles = [...cornerstoneFetched].sort();
  const csWasm = csFiles.filter((f) => f.endsWith('.wasm')).map((f) => path.basename(f));
  // How Cornerstone3D drew: it picks WebGL whenever the browser offers it, here SwiftShader.
  const csRendering = [...new Set(rows.filter((r) => r.csOk).map((r) => r.cRendering))]
    .map((r) => (r === 'cpu' ? 'its CPU canvas path' : /SwiftShader/.test(r) ? 'WebGL on SwiftShader (software)' : `WebGL on ${r}`))
    .join(', ');
  const f1 = (x) => (Number.isNaN(x) ? 'cannot open' : x.toFixed(1));
  const ratio = (ok, ours, theirs) => (ok ? `${(ours / theirs).toFixed(1)}×` : '–');
  const frames = (n) => (n !== 100 ? ` (${n} frames)` : '');
  // Decode speed, or for a native clip (converted as it is drawn) the time until every frame
  // can be drawn, and how many times sooner that is than the peer's whole-clip decode.
  const native = (r) => r.decoder === 'native';
  const ourDecode = (r) => (native(r) ? `ready in ${f1(r.sReady)} ms` : f1(r.sFps));
  const decodeRatio = (r, ok, theirFps, theirReady) =>
    native(r) ? (ok ? `${(theirReady / r.sReady).toFixed(1)}× sooner ready` : '–') : ratio(ok, r.sFps, theirFps);
  const failures = rows.flatMap((r) => [
    ...(r.pError ? [`dwv cannot open the ${r.clip.split(' 640')[0]} clip (${r.pError})`] : []),
    ...(r.cError ? [`Cornerstone3D cannot open the ${r.clip.split(' 640')[0]} clip (${r.cError})`] : []),
  ]);
  const table = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu} (${(await import('node:os')).cpus().length} cores), ${chromiumVersion}, headless, software rendering; dwv ${dwvVersion}; Cornerstone3D (@cornerstonejs/core ${csVersion('core')}, @cornerstonejs/dicom-image-loader ${csVersion('dicom-image-loader')}, bundled with esbuild ${esbuild.version}). Median of ${RUNS} runs per clip after one warm-up run each (not counted); every viewer gets the clip's bytes already in memory (SonoHub through its file picker, dwv through its loadFiles, Cornerstone3D through its wadouri file manager into a StackViewport; it decodes JPEG baseline colour with the browser's image decoder on the main thread and other syntaxes in its default decode workers, hardware threads / 2). Playback: ${PLAY_MS / 1000} s at 1× once the clip is decoded, frames put on screen per second against the clip's Frame Time; dwv plays at the Recommended Display Frame Rate or 10 fps, and the synthetic clips carry only Frame Time; Cornerstone3D's core has no player (its cine tool is in @cornerstonejs/tools), so the bench steps its stack at the clip's Frame Time from requestAnimationFrame${csRendering ? `, and it draws through ${csRendering}` : ''}.`,
    '',
    '| clip | size | SonoHub decoder | first frame: SonoHub | first frame: dwv | first frame: Cornerstone3D | decode fps: SonoHub | decode fps: dwv | decode fps: Cornerstone3D | decode ratio vs dwv | decode ratio vs Cornerstone3D | playback fps: SonoHub | playback fps: dwv | playback fps: Cornerstone3D | SonoHub dropped / due |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      `| ${r.clip} | ${r.mb} MB | ${{ browser: 'browser JPEG (createImageBitmap)', video: 'browser video (WebCodecs)', native: 'native' }[r.decoder] ?? 'wasm'} | ${f1(r.sFirst)} ms | ${r.peerOk ? `${f1(r.pFirst)} ms` : 'cannot open'} | ${r.csOk ? `${f1(r.cFirst)} ms` : 'cannot open'} | ${ourDecode(r)} | ${f1(r.pFps)}${frames(r.pFrames)} | ${f1(r.cFps)}${frames(r.cFrames)} | ${decodeRatio(r, r.peerOk, r.pFps, r.pReady)} | ${decodeRatio(r, r.csOk, r.cFps, r.cReady)} | ${f1(r.sShownFps)} of ${r.fps} | ${r.peerOk ? `${f1(r.pShownFps)} of ${r.fps}` : '–'} | ${r.csOk ? `${f1(r.cShownFps)} of ${r.fps}` : '–'} | ${r.sDropped} / ${r.sExpected} |`),
    '',
    ...(failures.length ? [`${failures.join('; ')}.`, ''] : []),
    ...(rows.some(native)
      ? ["SonoHub decoder `native`: the clip is uncompressed, so SonoHub reads its header and converts each frame from the file's bytes as it draws it; its decode column shows the time from the last byte until every frame can be drawn, and its ratios compare that with the time each peer takes to decode the whole clip.", '']
      : []),
    `Download size (gzip -9): SonoHub's whole app (wasm + JS glue, every page, viewer and decoders included) ${kb(gzipSize(ourFiles))} (${kb(rawSize(ourFiles))} raw); dwv with Konva, JSZip, magic-wand and its JPEG and RLE workers ${kb(gzipSize([...peerFiles, ...konvaFiles]))}; Cornerstone3D's minified bundle and decode worker${csWasm.length ? ` with the wasm codecs it fetched (${csWasm.join(', ')})` : ' (it fetched no wasm codec for these clips)'} ${kb(gzipSize(csFiles))} (${kb(rawSize(csFiles))} raw).`,
  ].join('\n');
  console.log('\n' + table);
  const doc = path.join(root, 'BENCHMARKS.md');
  const begin = '<!-- cine:begin -->';
  const end = '<!-- cine:end -->';
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n\n`make bench` measures; it rewrites the tables between the markers.\n';
  if (!text.includes(begin)) text += `\n## Cine viewer: SonoHub vs dwv and Cornerstone3D\n\n${begin}\n${end}\n`;
  text = text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
  fs.writeFileSync(doc, text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
