// `make bench`: SonoHub's anonymiser against gdcmanon (GDCM, Debian) and dicognito (PyPI) on
// the same batch of synthetic multi-frame ultrasound clips, in the same run. Each tool gets the
// whole batch as one folder in one process; the time is wall clock from start to exit. Then,
// untimed, what each leaves behind: the patient's name, the burned-in banner, the frame timing.
// Writes the table into ../../BENCHMARKS.md between the anonymize markers.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '../..');
const work = path.join(root, 'target/bench-anon');
const batchDir = path.join(work, 'batch');
const sonohub = path.join(root, 'target/release/sonohub');
const pylib = path.join(root, 'target/pylib');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WIDTH = 640;
const HEIGHT = 480;
const FRAMES = 60;
const BANNER_ROWS = 48; // `sonohub dicom synth` burns its fake patient banner into rows 0..48.
const SOURCE_NAME = 'SYNTHETIC^CLIP';
const GOAL_HEADER_RATIO = 3;
const GOAL_CLEAN_FPS = 200;

const batch = [
  ...Array.from({ length: 16 }, () => 'jpeg'),
  ...Array.from({ length: 2 }, () => 'rle'),
  ...Array.from({ length: 2 }, () => 'rgb'),
];

const env = { ...process.env, SONOHUB_SECRET: 'bench-secret-of-sufficient-length', RUST_LOG: 'warn' };
const pyEnv = { ...env, PYTHONPATH: pylib };
const certificate = path.join(work, 'gdcmanon-cert.pem');

/** The tools, each as a command line from an input folder to an output folder. */
const tools = [
  {
    key: 'sonohub-headers',
    name: 'SonoHub, headers only (`--no-pixel-cleaning`)',
    command: (inDir, outDir) => [sonohub, ['anonymize', inDir, '--out', outDir, '--no-pixel-cleaning'], env],
  },
  {
    key: 'sonohub-clean',
    name: 'SonoHub, headers and pixels',
    command: (inDir, outDir) => [sonohub, ['anonymize', inDir, '--out', outDir], env],
  },
  {
    // The PS3.15 E.1 basic profile needs a certificate (the original values are kept
    // encrypted in the file); a throwaway one, as gdcmanon(1) suggests for one-shot use.
    key: 'gdcmanon',
    name: 'gdcmanon, basic profile (`-e`)',
    command: (inDir, outDir) => ['gdcmanon', ['-e', '-c', certificate, '-r', '--continue', '-i', inDir, '-o', outDir], env],
  },
  {
    // Not a peer: the floor of reading and writing the batch on this machine.
    key: 'copy',
    name: '`cp -r`: no anonymisation, only the files copied (the I/O floor)',
    command: (inDir, outDir) => ['cp', ['-r', `${inDir}/.`, outDir], env],
  },
  {
    key: 'dicognito',
    name: 'dicognito',
    command: (inDir, outDir) => ['python3', ['-m', 'dicognito', '--quiet', '--seed', 'sonohub-bench', '--output-directory', outDir, inDir], pyEnv],
  },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Every file under `dir`. */
const filesUnder = (dir) =>
  fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());

function run(tool, inDir, outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const [cmd, args, cmdEnv] = tool.command(inDir, outDir);
  const t0 = process.hrtime.bigint();
  const done = spawnSync(cmd, args, { env: cmdEnv, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (done.status !== 0) throw new Error(`${tool.key} failed (${done.status}): ${done.stderr.toString().slice(0, 2000)}`);
  return ms;
}

function makeBatch() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(batchDir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sonohub-bench',
    '-keyout', path.join(work, 'gdcmanon-key.pem'), '-out', certificate], { stdio: 'ignore' });
  return batch.map((syntax, i) => {
    const file = path.join(batchDir, `clip-${String(i).padStart(2, '0')}-${syntax}.dcm`);
    execFileSync(sonohub, ['dicom', 'synth', '--out', file, '--frames', String(FRAMES), '--width', String(WIDTH),
      '--height', String(HEIGHT), '--syntax', syntax, '--fps', '30', '--seed', String(1000 + i)]);
    return { file, syntax, bytes: fs.statSync(file).size };
  });
}

/** Decodes an 8-bit RGBA, non-interlaced PNG (what `sonohub dicom frame` writes). */
function readPng(file) {
  const png = fs.readFileSync(file);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      if (data[8] !== 8 || data[9] !== 6 || data[12] !== 0) throw new Error(`${file}: not 8-bit RGBA`);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? out[y * stride + x - 4] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? out[(y - 1) * stride + x - 4] : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      out[y * stride + x] = (line[x] + predicted) & 0xff;
    }
  }
  return { width, height, rgba: out };
}

/** Frame 0's banner rows: 'kept' (as in the input), 'blacked out', or 'changed'. */
function bannerAfter(input, output, scratch) {
  const banner = (file, png) => {
    execFileSync(sonohub, ['dicom', 'frame', file, '0', png]);
    const { width, rgba } = readPng(png);
    return rgba.subarray(0, width * 4 * BANNER_ROWS);
  };
  const before = banner(input, path.join(scratch, 'before.png'));
  const after = banner(output, path.join(scratch, 'after.png'));
  let diff = 0;
  let brightest = 0;
  for (let i = 0; i < after.length; i++) {
    if (i % 4 === 3) continue;
    diff += Math.abs(after[i] - before[i]);
    brightest = Math.max(brightest, after[i]);
  }
  const meanDiff = diff / ((after.length / 4) * 3);
  if (brightest <= 48) return 'blacked out';
  return meanDiff < 4 ? 'kept' : `changed (mean |Δ| ${meanDiff.toFixed(1)})`;
}

/** Untimed: what one clip of each encoding looks like after each tool. */
function outcomes(clips) {
  const samples = ['jpeg', 'rle', 'rgb'].map((syntax) => clips.find((c) => c.syntax === syntax));
  const scratch = path.join(work, 'check');
  return tools.map((tool) => {
    const seen = samples.map((clip) => {
      const inDir = path.join(scratch, `${tool.key}-${clip.syntax}-in`);
      const outDir = path.join(scratch, `${tool.key}-${clip.syntax}-out`);
      fs.mkdirSync(inDir, { recursive: true });
      fs.copyFileSync(clip.file, path.join(inDir, path.basename(clip.file)));
      run(tool, inDir, outDir);
      const [output] = filesUnder(outDir).filter((f) => !path.basename(f).startsWith('.'));
      const dump = execFileSync('dcmdump', ['+P', 'PatientName', '+P', 'FrameTime', '+P', 'BurnedInAnnotation', output]).toString();
      const value = (name) => dump.split('\n').find((l) => l.includes(` ${name}`))?.match(/\[(.*)\]/)?.[1];
      const frameTime = JSON.parse(execFileSync(sonohub, ['dicom', 'info', output])).frame_time_ms;
      const sourceFrameTime = JSON.parse(execFileSync(sonohub, ['dicom', 'info', clip.file])).frame_time_ms;
      return {
        name: fs.readFileSync(output).includes(SOURCE_NAME) ? 'still there' : `gone (${value('PatientName') ? `now ${value('PatientName')}` : 'empty'})`,
        banner: bannerAfter(clip.file, output, scratch),
        frameTime: frameTime === sourceFrameTime ? `kept (${frameTime} ms)` : `${frameTime} ms (was ${sourceFrameTime})`,
        burnedIn: value('BurnedInAnnotation') ?? 'absent',
      };
    });
    // One line per tool when the three encodings agree, else each named.
    const summary = (field) => {
      const values = seen.map((s) => s[field]);
      return values.every((v) => v === values[0]) ? values[0] : values.map((v, i) => `${samples[i].syntax}: ${v}`).join('; ');
    };
    return { key: tool.key, name: summary('name'), banner: summary('banner'), frameTime: summary('frameTime'), burnedIn: summary('burnedIn') };
  });
}

function versions() {
  const gdcm = execFileSync('gdcmanon', ['--version']).toString().match(/gdcm ([\d.]+)/)?.[1] ?? '?';
  const script = 'import dicognito, platform, pydicom; print(dicognito.__version__, pydicom.__version__, platform.python_version())';
  const [dicognito, pydicom, python] = execFileSync('python3', ['-c', script], { env: pyEnv }).toString().trim().split(' ');
  return { gdcm, dicognito, pydicom, python };
}

function main() {
  if (!fs.existsSync(sonohub)) throw new Error('build first: target/release/sonohub is missing');
  const clips = makeBatch();
  const totalBytes = clips.reduce((n, c) => n + c.bytes, 0);
  const totalFrames = clips.length * FRAMES;
  const mb = totalBytes / 1048576;
  const counts = ['jpeg', 'rle', 'rgb'].map((s) => [s, clips.filter((c) => c.syntax === s)]);
  const batchText = `${clips.length} clips of ${WIDTH}×${HEIGHT} × ${FRAMES} frames (${counts
    .map(([s, cs]) => `${cs.length} ${{ jpeg: 'JPEG baseline', rle: 'RLE lossless', rgb: 'uncompressed RGB' }[s]} of ${(cs[0].bytes / 1048576).toFixed(1)} MB`)
    .join(', ')}): ${mb.toFixed(1)} MB, ${totalFrames} frames in all`;
  console.log(`batch: ${batchText}`);

  const times = Object.fromEntries(tools.map((t) => [t.key, []]));
  // Interleaved rounds so a slow moment on the shared machine hits every tool alike; the
  // first round warms the page cache and the binaries and is not counted.
  for (let round = 0; round <= RUNS; round++) {
    for (const tool of tools) {
      const ms = run(tool, batchDir, path.join(work, `out-${tool.key}`));
      if (round > 0) times[tool.key].push(ms);
      console.log(`${round === 0 ? 'warm-up' : `run ${round}`} ${tool.key}: ${ms.toFixed(0)} ms`);
    }
  }
  const written = Object.fromEntries(tools.map((t) => [t.key, filesUnder(path.join(work, `out-${t.key}`)).length]));
  for (const tool of tools) {
    if (written[tool.key] !== clips.length) throw new Error(`${tool.key} wrote ${written[tool.key]} of ${clips.length} files`);
  }
  const ms = Object.fromEntries(tools.map((t) => [t.key, median(times[t.key])]));
  const seen = Object.fromEntries(outcomes(clips).map((o) => [o.key, o]));

  const headerRatio = (peer) => ms[peer] / ms['sonohub-headers'];
  const cleanFps = (totalFrames * 1000) / ms['sonohub-clean'];
  const met = (ok) => (ok ? '**met**' : '**not met**');
  const ratioText = (r) => (r >= 1 ? `${r.toFixed(1)}× as fast` : `${(1 / r).toFixed(1)}× slower`);
  const v = versions();
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
  const table = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu} (${os.cpus().length} cores, shared with other work), gdcmanon (GDCM ${v.gdcm}, Debian), dicognito ${v.dicognito} with pydicom ${v.pydicom} on Python ${v.python}. Batch: ${batchText}. Median of ${RUNS} runs after one warm-up round (not counted), tools interleaved; each run is one process over the whole folder, one file at a time, wall clock to exit, output to an emptied folder.`,
    '',
    '| tool | time: median (fastest–slowest) | files/s | MB/s | frames/s | SonoHub headers only against it |',
    '|---|---|---|---|---|---|',
    ...tools.map((t) =>
      `| ${t.name} | ${(ms[t.key] / 1000).toFixed(2)} s (${(Math.min(...times[t.key]) / 1000).toFixed(2)}–${(Math.max(...times[t.key]) / 1000).toFixed(2)}) | ${((clips.length * 1000) / ms[t.key]).toFixed(1)} | ${((mb * 1000) / ms[t.key]).toFixed(0)} | ${((totalFrames * 1000) / ms[t.key]).toFixed(0)} | ${['gdcmanon', 'dicognito', 'copy'].includes(t.key) ? ratioText(headerRatio(t.key)) : '–'} |`),
    '',
    `Goals (issue 4): SonoHub headers only at least ${GOAL_HEADER_RATIO}× gdcmanon: ${headerRatio('gdcmanon').toFixed(1)}×, ${met(headerRatio('gdcmanon') >= GOAL_HEADER_RATIO)}. (Meeting it would take ${(ms.gdcmanon / GOAL_HEADER_RATIO / 1000).toFixed(2)} s, against ${(ms.copy / 1000).toFixed(2)} s for copying the same files with \`cp\`.) Pixel cleaning at least ${GOAL_CLEAN_FPS} frames/s of ${WIDTH}×${HEIGHT}: ${cleanFps.toFixed(0)} frames/s over the batch, ${met(cleanFps >= GOAL_CLEAN_FPS)}.`,
    '',
    `What is left (one clip of each encoding through each tool, not timed; banner: frame 0, rows 0–${BANNER_ROWS - 1}, decoded before and after):`,
    '',
    `| tool | patient's name (${SOURCE_NAME}) | burned-in banner | Frame Time (clip still plays at its rate) | Burned In Annotation |`,
    '|---|---|---|---|---|',
    ...tools.map((t) => `| ${t.name} | ${seen[t.key].name} | ${seen[t.key].banner} | ${seen[t.key].frameTime} | ${seen[t.key].burnedIn} |`),
  ].join('\n');
  console.log('\n' + table);

  const doc = path.join(root, 'BENCHMARKS.md');
  const begin = '<!-- anonymize:begin -->';
  const end = '<!-- anonymize:end -->';
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n\n`make bench` measures; it rewrites the tables between the markers.\n';
  if (!text.includes(begin)) text += `\n## Anonymiser: SonoHub vs gdcmanon and dicognito\n\n${begin}\n${end}\n`;
  text = text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
  fs.writeFileSync(doc, text);
}

main();
