// `make bench`: importing 100 studies from a real Orthanc (Debian) into SonoHub: search, fetch
// as stored (WADO-RS), anonymise with pixel cleaning, store. Wall time and SonoHub's peak
// memory, against the floor of just downloading the same studies with dicomweb-client (PyPI)
// in the same run. Writes the table into ../../BENCHMARKS.md between the import markers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './net.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const work = path.join(root, 'target/bench-import');
const sonohub = path.join(root, 'target/release/sonohub');
const pylib = path.join(root, 'target/pylib');
const STUDIES = Number(process.env.BENCH_STUDIES ?? 100);
const FRAMES = 30;
const USER = 'bench';
const PASSWORD = 'bench-archive-pw';


async function waitFor(url, headers = {}) {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(url, { headers });
      if (res.ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

/** One synthetic JPEG clip per study, each a different made-up patient (pydicom rewrites). */
function makeStudies() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'studies'), { recursive: true });
  const base = path.join(work, 'base.dcm');
  execFileSync(sonohub, ['dicom', 'synth', '--out', base, '--frames', String(FRAMES), '--syntax', 'jpeg', '--fps', '30']);
  const script = `
import sys, pydicom
from pydicom.uid import generate_uid
base, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    ds = pydicom.dcmread(base)
    ds.PatientName = f"BENCH^PATIENT{i:03d}"
    ds.PatientID = f"B{i:06d}"
    ds.AccessionNumber = f"A{i:06d}"
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(f"{out}/{i:03d}.dcm", enforce_file_format=True)
`;
  execFileSync('python3', ['-c', script, base, path.join(work, 'studies'), String(STUDIES)], {
    env: { ...process.env, PYTHONPATH: pylib },
  });
  return fs.readdirSync(path.join(work, 'studies')).map((f) => path.join(work, 'studies', f));
}

async function startOrthanc() {
  const dir = path.join(work, 'orthanc');
  fs.mkdirSync(dir, { recursive: true });
  const http = await freePort();
  const config = {
    Name: 'BenchArchive',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: http,
    DicomPort: await freePort(),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [USER]: PASSWORD },
    Plugins: ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    StorageCompression: false,
  };
  fs.writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config));
  const child = spawn('/usr/sbin/Orthanc', [path.join(dir, 'orthanc.json')], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${http}`;
  const auth = { authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64') };
  await waitFor(`${base}/system`, auth);
  return { child, base, auth };
}

/** A cookie-keeping caller of SonoHub's server functions. */
function session(base) {
  let cookie = '';
  const keep = (res) => {
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return res;
  };
  return {
    form: async (endpoint, fields) =>
      keep(
        await fetch(`${base}/api/${endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
    json: async (endpoint, body) =>
      keep(
        await fetch(`${base}/api/${endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(body),
        }),
      ),
  };
}

const kib = (pid, field) => {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Number(m[1]) : 0;
};

async function importWithSonohub(orthanc) {
  const port = await freePort();
  const data = path.join(work, 'sonohub-data');
  const base = `http://127.0.0.1:${port}`;
  // No --demo: the demo studies would be imported too and muddy the numbers.
  const server = spawn(sonohub, ['serve', '--addr', `127.0.0.1:${port}`, '--data', data, '--admin-username', 'admin', '--dicom-addr', '127.0.0.1:0'], {
    env: { ...process.env, SONOHUB_ADMIN_PASSWORD: 'bench-admin-password', LEPTOS_SITE_ROOT: path.join(root, 'target/site'), RUST_LOG: 'warn' },
    stdio: 'ignore',
  });
  await waitFor(`${base}/healthz`);
  const admin = session(base);
  await admin.form('login', { username: 'admin', password: 'bench-admin-password' });
  // The expert who imports, at the hub.
  const network = await (await admin.form('network', {})).json();
  const hub = network.find((row) => row.site.code === 'HUB').site.id;
  let res = await admin.form('create_user', {
    'user[username]': 'bench.expert',
    'user[display_name]': 'Bench Expert',
    'user[role]': 'expert',
    'user[site_id]': hub,
    'user[password]': 'bench-expert-password',
  });
  if (!res.ok) throw new Error(`creating the expert: ${res.status} ${await res.text()}`);
  res = await admin.form('save_archive_settings', {
    base_url: `${orthanc.base}/dicom-web`,
    auth: 'basic',
    username: USER,
    secret: PASSWORD,
    timeout_secs: '30',
  });
  if (!res.ok) throw new Error(`archive settings: ${await res.text()}`);
  const expert = session(base);
  await expert.form('login', { username: 'bench.expert', password: 'bench-expert-password' });
  const rssBefore = kib(server.pid, 'VmRSS');
  const t0 = performance.now();
  res = await expert.form('search_archive', { patient_id: '', patient_name: 'BENCH*', accession: '', date_from: '', date_to: '', modality: '' });
  const found = await res.json();
  if (!Array.isArray(found) || found.length !== STUDIES) throw new Error(`search found ${JSON.stringify(found).slice(0, 300)}`);
  res = await expert.json('import_studies', { study_uids: found.map((s) => s.study_uid) });
  const job = await res.json();
  let detail;
  for (;;) {
    detail = await (await expert.form('import_job_detail', { id: job })).json();
    if (detail[0].status === 'done' || detail[0].status === 'failed') break;
    await sleep(200);
  }
  const seconds = (performance.now() - t0) / 1000;
  const peak = kib(server.pid, 'VmHWM');
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  return { seconds, peakMb: peak / 1024, rssBeforeMb: rssBefore / 1024, job: detail[0] };
}

function downloadWithDicomwebClient(orthanc) {
  const out = path.join(work, 'downloaded');
  fs.mkdirSync(out, { recursive: true });
  const script = `
import sys, time, pydicom
from dicomweb_client.api import DICOMwebClient
from requests.auth import HTTPBasicAuth
import requests
s = requests.Session(); s.auth = HTTPBasicAuth(sys.argv[2], sys.argv[3])
c = DICOMwebClient(url=sys.argv[1], session=s)
t0 = time.time()
studies = c.search_for_studies(get_remaining=True)
print(len(studies), 'studies found', file=sys.stderr)
n = 0
for st in studies:
    uid = st['0020000D']['Value'][0]
    for ds in c.retrieve_study(uid, media_types=(('application/dicom', '*'),)):
        ds.save_as(f"{sys.argv[4]}/{n}.dcm", enforce_file_format=True); n += 1
print(time.time() - t0, n)
`;
  const done = spawnSync('python3', ['-c', script, `${orthanc.base}/dicom-web`, USER, PASSWORD, out], {
    env: { ...process.env, PYTHONPATH: pylib },
    encoding: 'utf8',
  });
  if (done.status !== 0) throw new Error(`dicomweb-client: ${done.stderr.slice(-2000)}`);
  const [seconds, files] = done.stdout.trim().split(/\s+/).map(Number);
  if (!files) throw new Error(`dicomweb-client downloaded nothing: ${done.stdout} ${done.stderr.slice(-2000)}`);
  return { seconds, files };
}

const files = makeStudies();
const totalMb = files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1048576;
const orthanc = await startOrthanc();
try {
  for (const f of files) {
    const res = await fetch(`${orthanc.base}/instances`, { method: 'POST', headers: orthanc.auth, body: fs.readFileSync(f) });
    if (!res.ok) throw new Error(`Orthanc refused ${f}: ${res.status}`);
  }
  const peer = downloadWithDicomwebClient(orthanc);
  const ours = await importWithSonohub(orthanc);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const when = new Date().toISOString().replace(/\.\d+Z$/, ' UTC').replace('T', ' ');
  const table = [
    `Measured ${when} on ${cpu}, ${os.cpus().length} cores. ${STUDIES} studies, one 640×480 JPEG clip of ${FRAMES} frames each (${totalMb.toFixed(0)} MB in all), each a different made-up patient, loaded into Orthanc ${'1.10'} with its DICOMweb plugin on loopback.`,
    '',
    '| what | wall time | studies/s | frames/s | peak memory | against downloading only |',
    '|---|---|---|---|---|---|',
    `| SonoHub: search, fetch as stored, anonymise with pixel cleaning, store (${ours.job.imported} imported, ${ours.job.failed} failed) | ${ours.seconds.toFixed(1)} s | ${(STUDIES / ours.seconds).toFixed(1)} | ${((STUDIES * FRAMES) / ours.seconds).toFixed(0)} | ${ours.peakMb.toFixed(0)} MB (server, ${ours.rssBeforeMb.toFixed(0)} MB before) | ${(ours.seconds / peer.seconds).toFixed(1)}× the time |`,
    `| dicomweb-client 0.61.2: search and download the same studies to disk (${peer.files} files) | ${peer.seconds.toFixed(1)} s | ${(STUDIES / peer.seconds).toFixed(1)} | – | – | 1× |`,
  ].join('\n');
  console.log(table);
  const file = path.join(root, 'BENCHMARKS.md');
  let md = fs.readFileSync(file, 'utf8');
  const begin = '<!-- import:begin -->';
  const end = '<!-- import:end -->';
  if (!md.includes(begin)) {
    md += `\n## Importing from the archive\n\nSonoHub imports 100 studies from a real Orthanc through DICOMweb: the expert's search, one import job, every instance fetched as stored, anonymised with pixel cleaning and stored content-addressed. The peer is the floor: the same studies downloaded by dicomweb-client with nothing done to them. Peak memory is the server's high-water mark (VmHWM).\n\n${begin}\n${end}\n`;
  }
  md = md.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
  fs.writeFileSync(file, md);
} finally {
  orthanc.child.kill('SIGTERM');
}
