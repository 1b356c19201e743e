// Real archives (issue 13): on the mixed corpus of real files (pydicom's test files and
// pydicom-data, fetched by `.ci/tools test`), the shares imported at once, held in the
// quarantine for an expert and refused, then imported once an expert marked an area on each held
// file; and the image-area proposal against the scanner's own regions on real clips (the
// expert's mask where the true image area is known). Runs the two tests that measure these and
// writes the table into ../../BENCHMARKS.md between the quarantine markers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const env = {
  ...process.env,
  SONOHUB_DICOM_SAMPLES: path.join(root, 'target/dicom-samples'),
  SONOHUB_DICOM_CORPUS: path.join(root, 'target/dicom-corpus'),
  SONOHUB_REQUIRE_TOOLS: '1',
  RUST_BACKTRACE: '0',
};

function run(args) {
  // The tests print what they measured on stderr (`--nocapture`); 2>&1 keeps it in order.
  return execFileSync('sh', ['-c', `cargo test ${args} -- --nocapture 2>&1`], {
    cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20,
  });
}

function line(text, prefix) {
  const found = text.split('\n').find((l) => l.startsWith(prefix));
  if (!found) throw new Error(`no "${prefix}" line in the test output:\n${text.slice(-4000)}`);
  return found.slice(prefix.length).trim();
}

const corpus = run('--test integration corpus::');
const mixed = line(corpus, 'mixed corpus:');
const ultrasound = line(corpus, 'ultrasound:');
const after = line(corpus, 'after the quarantine (an area marked on each held file):');
const area = run('-p sonohub-cine --test area real_ultrasound_clips');
const scored = area.split('\n').filter((l) => /^\S+\.dcm\s+\d+\s/.test(l));
const mean = line(area, 'mean IoU over');
const synthetic = run('-p sonohub-cine --test area the_moving_sector');
const synthIou = synthetic.split('\n')
  .map((l) => l.match(/^(\w+|\(\d+, \d+\)): proposed .* IoU ([\d.]+)/))
  .filter(Boolean)
  .map((m) => `${m[1]} ${m[2]}`);

const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
const table = [
  `Measured ${when} UTC. Corpus: 31 real files that other vendors and tools wrote (13 ultrasound from Philips, GE, SonoSite, Aloka and others; CT, MR, NM, secondary captures, reports, plans, waveforms, damaged files), each uploaded the way the browser uploads.`,
  '',
  '| corpus | before the quarantine (2026-11-29, files without regions refused) | now |',
  '|---|---|---|',
  `| mixed (31 files) | imported 2 (6%), refused 29 (94%): 16 for want of an image area, 13 for other reasons | ${mixed.replace(/^31 files, /, '')} |`,
  `| ultrasound (13 files) | imported 2 (15%), refused 11 (85%) | ${ultrasound.replace(/^13 files, /, '')} |`,
  `| after an expert marks an area on each held file | – | ${after} |`,
  '',
  'Held files wait in the quarantine, identified, never in the blob store; none of those released with an area was refused afterwards (every layout among them cleaned). The 9 refused now are reports, plans, a waveform (not images), damaged files and data sets without a file meta: nothing an expert could fix.',
  '',
  `Image-area proposal (from what moves between frames) against the scanner's own ultrasound regions, on real clips that carry them: ${mean.replace(/^(\d+) scanner clips: /, '$1 clip(s): mean IoU ')} (target ≥ 0.9).`,
  '',
  '```',
  ...scored,
  '```',
  '',
  `On synthetic clips (sector under a still banner, against the sector's box): ${synthIou.join(', ')}. Single frames get no proposal: the expert draws the area.`,
].join('\n');

const file = path.join(root, 'BENCHMARKS.md');
let md = fs.readFileSync(file, 'utf8');
const begin = '<!-- quarantine:begin -->';
const end = '<!-- quarantine:end -->';
if (!md.includes(begin)) {
  md += `\n## Real archives: imported, held, refused\n\nHow much of a real archive gets in (issue 13), and how close the proposed image area comes to the true one. The peer of the shares is the same corpus before the quarantine existed (measured on 2026-11-29 with the code of that day; it cannot run again in the same run, since the code that refused is gone). The peer of the proposal is the area the scanner itself wrote.\n\n${begin}\n${end}\n`;
}
md = md.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
fs.writeFileSync(file, md);
console.log(table);
