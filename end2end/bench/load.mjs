// `make bench`: SonoHub's pages under load, on SQLite and on PostgreSQL, against a bare axum +
// sqlx handler running the library's own search query in the same run (`sonohub bench anchor`:
// what is left is what Leptos SSR, sessions and the middleware cost). The library is the demo's,
// grown to BENCH_CASES published cases with attempts and comments (`sonohub bench library`).
// wrk (Debian) drives every run from loopback with BENCH_CONNECTIONS connections; a soak run of
// BENCH_SOAK_SECONDS on the library page samples the server's memory. Writes the tables into
// ../../BENCHMARKS.md between the load markers. PostgreSQL runs only when
// SONOHUB_BENCH_POSTGRES_URL names a server (make bench starts one).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startProcess } from './net.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const work = path.join(root, 'target/bench-load');
const sonohub = path.join(root, 'target/release/sonohub');
const CASES = Number(process.env.BENCH_CASES ?? 10000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const SOAK = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SEARCH = '甲状腺';
// A two-character term (结节, nodule): too short for the trigram index, so SQLite scans.
const SHORT = '结节';
const PASSWORD = 'sonohub-demo';
// Users, as opposed to connections: each waits a random 0.5-1.5 s (1 s on average) between a
// page and the next, as someone reading a list does when quick, so BENCH_CONNECTIONS users
// ask for about that many pages a second; the latency they see is what the goal is about.
const THINK_MS = [500, 1500];
// Pages whose client leaves after the first bytes (a closed tab, a click elsewhere, a dropped
// link): the server's memory before and after this many.
const DROPPED = Number(process.env.BENCH_DROPPED ?? 2000);


/**
 * The server's own memory in MB: resident anonymous pages (RssAnon), what a leak grows. Not
 * VmRSS, which also counts the database file SQLite maps (mmap_size): pages of the kernel's
 * cache, shared and given back under pressure, which put a server at 1.4 GB "RSS" in this benchmark.
 */
function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/RssAnon:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function signIn(base, username) {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ username, password: PASSWORD }),
    redirect: 'manual',
  });
  if (res.status !== 200) throw new Error(`sign-in as ${username}: ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sonohub_session='));
  return cookie.split(';')[0];
}

/**
 * GETs `url` `count` times, `parallel` at once, each time closing the connection as soon as
 * the first bytes of the answer arrive; resolves when all are closed.
 */
async function dropAfterFirstBytes(url, headers, count, parallel = 10) {
  const u = new URL(url);
  const head =
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
    'Connection: close\r\n\r\n';
  const one = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(Number(u.port), u.hostname, () => socket.write(head));
      socket.once('data', () => socket.resetAndDestroy());
      socket.once('close', resolve);
      socket.once('error', (e) => (e.code === 'ECONNRESET' ? resolve() : reject(e)));
    });
  let left = count;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (left-- > 0) await one();
    }),
  );
}

const ms = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];

/** One wrk run; `request` is {url, method, body, headers, think}: with `think`, each connection
 * waits a random THINK_MS between a response and its next request (wrk's `delay()`). */
function wrk(request, seconds) {
  const lua = path.join(work, 'request.lua');
  const headers = Object.entries(request.headers ?? {})
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  fs.writeFileSync(
    lua,
    `wrk.method = ${JSON.stringify(request.method ?? 'GET')}\n` +
      (request.body ? `wrk.body = ${JSON.stringify(request.body)}\n` : '') +
      `${headers}\n` +
      (request.think ? `function delay() return math.random(${THINK_MS[0]}, ${THINK_MS[1]}) end\n` : ''),
  );
  const out = execFileSync(
    'wrk',
    ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', lua, request.url],
    { encoding: 'utf8' },
  );
  if (!/Requests\/sec:\s+[1-9]/.test(out)) console.log(`wrk answered nothing for ${request.url}:\n${out}`);
  const pick = (re) => re.exec(out);
  const latency = (pct) => {
    const m = pick(new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)`, 'm'));
    return m ? ms(m[1], m[2]) : NaN;
  };
  const socket = pick(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = pick(/Non-2xx or 3xx responses: (\d+)/);
  const errors =
    (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    rps: Number(pick(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50: latency(50),
    p99: latency(99),
    requests: Number(pick(/(\d+) requests in/)[1]),
    errors,
  };
}

async function backend(name, databaseUrl) {
  const data = path.join(work, name);
  fs.rmSync(data, { recursive: true, force: true });
  fs.mkdirSync(data, { recursive: true });
  const db = databaseUrl ? ['--database-url', databaseUrl] : [];
  const env = { SONOHUB_DEMO_ARCHIVE: 'off', RUST_LOG: 'warn,server=info,domain=info' };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serve = () =>
    startProcess(sonohub, ['serve', '--demo', '--data', data, '--addr', `127.0.0.1:${port}`, ...db], env, path.join(work, `${name}-serve.log`));

  // The demo's studies, cases and courses, once; then the library grown to size offline.
  console.log(`${name}: seeding the demo library`);
  let server = serve();
  // The last of the demo's seeding steps: a stop while it seeds can wait minutes.
  await server.seen('demo logbooks seeded', 1200);
  await server.stop();
  console.log(`${name}: growing the library to ${CASES} cases`);
  const grown = JSON.parse(
    execFileSync(sonohub, ['bench', 'library', '--data', data, '--cases', String(CASES), ...db], {
      encoding: 'utf8',
      env: { ...process.env, RUST_LOG: 'warn' },
    }).trim().split('\n').pop(),
  );

  server = serve();
  await server.seen('SonoHub is listening', 120);
  const anchorPort = await freePort();
  const anchorBase = `http://127.0.0.1:${anchorPort}`;
  const anchor = startProcess(sonohub, ['bench', 'anchor', '--data', data, '--addr', `127.0.0.1:${anchorPort}`, ...db], {}, path.join(work, `${name}-anchor.log`));
  await anchor.seen('anchor listening', 60);
  const cookie = await signIn(base, 'li.na');
  const signedIn = { cookie, 'accept-language': 'zh-CN' };
  const q = encodeURIComponent(SEARCH);
  const query = JSON.stringify({ query: { text: SEARCH } });
  const page = { what: `library page, search "${SEARCH}"`, side: 'SonoHub', url: `${base}/cases?q=${q}`, headers: signedIn };
  const bare = { what: page.what, side: 'anchor', url: `${anchorBase}/cases?q=${q}` };
  const reading = `${page.what}, ${CONNECTIONS} users reading (1 page/s each)`;
  const runs = [
    page,
    bare,
    { ...page, what: reading, think: true },
    { ...bare, what: reading, think: true },
    { what: `library page, search "${SHORT}"`, side: 'SonoHub', url: `${base}/cases?q=${encodeURIComponent(SHORT)}`, headers: signedIn },
    { what: `library page, search "${SHORT}"`, side: 'anchor', url: `${anchorBase}/cases?q=${encodeURIComponent(SHORT)}` },
    { what: 'library search as JSON', side: 'SonoHub', url: `${base}/api/search_cases`, method: 'POST', body: query, headers: { ...signedIn, 'content-type': 'application/json', origin: base } },
    { what: 'library search as JSON', side: 'anchor', url: `${anchorBase}/cases.json?q=${q}` },
    { what: 'case page', side: 'SonoHub', url: `${base}/cases/${grown.case}`, headers: signedIn },
    { what: 'clip, 64 KiB range', side: 'SonoHub', url: `${base}/dicom/${grown.blob}`, headers: { ...signedIn, range: 'bytes=0-65535' } },
  ];
  const results = [];
  for (const run of runs) {
    const pid = run.side === 'anchor' ? anchor.pid : server.pid;
    wrk(run, 3); // warm-up, not counted
    const before = rssMb(pid);
    const r = wrk(run, SECONDS);
    results.push({ ...run, ...r, rssBefore: before, rssAfter: rssMb(pid) });
    console.log(`${name}: ${run.what} (${run.side}): ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors`);
  }
  // Pages their clients leave halfway: they must not stay in memory.
  await dropAfterFirstBytes(page.url, page.headers, 100); // warm-up, not counted
  await new Promise((r) => setTimeout(r, 2000));
  const droppedBefore = rssMb(server.pid);
  await dropAfterFirstBytes(page.url, page.headers, DROPPED);
  // What is still rendering for the clients that left finishes first.
  await new Promise((r) => setTimeout(r, 5000));
  const dropped = { count: DROPPED, before: droppedBefore, after: rssMb(server.pid) };
  console.log(`${name}: ${DROPPED} library pages dropped by their clients: RssAnon ${dropped.before.toFixed(0)} → ${dropped.after.toFixed(0)} MB`);
  let soak = null;
  if (SOAK > 0 && name === 'SQLite') {
    const samples = [rssMb(server.pid)];
    const slice = Math.max(10, Math.round(SOAK / 10));
    let requests = 0;
    let errors = 0;
    for (let t = 0; t < SOAK; t += slice) {
      const r = wrk(page, slice);
      requests += r.requests;
      errors += r.errors;
      samples.push(rssMb(server.pid));
    }
    soak = { seconds: SOAK, samples, requests, errors };
    console.log(`${name}: soak ${SOAK} s, RssAnon ${samples.map((s) => s.toFixed(0)).join(' → ')} MB`);
  }
  await anchor.stop();
  await server.stop();
  return { name, grown, results, dropped, soak };
}

function freshPostgres(adminUrl) {
  const name = `bench_load_${Date.now()}`;
  execFileSync('psql', [adminUrl, '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : '–');

fs.mkdirSync(work, { recursive: true });
const backends = [await backend('SQLite', null)];
if (process.env.SONOHUB_BENCH_POSTGRES_URL) {
  backends.push(await backend('PostgreSQL', freshPostgres(process.env.SONOHUB_BENCH_POSTGRES_URL)));
}

const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const wrkVersion = execFileSync('sh', ['-c', 'wrk -v 2>&1 | head -1'], { encoding: 'utf8' }).trim();
const lines = [
  `Measured ${when} UTC on ${cpu}, ${os.cpus().length} cores, server, anchor and ${wrkVersion.split(' [')[0]} on the same machine over loopback: ${CONNECTIONS} connections, 2 threads, ${SECONDS} s per row after a 3 s warm-up. Library: ${backends[0].grown.cases} published cases, ${backends[0].grown.attempts} attempts, ${backends[0].grown.comments} comments. SonoHub's requests carry a learner's session, as a browser's would; errors are non-2xx/3xx answers plus socket errors and timeouts.`,
  '',
  '| database | request | side | requests/s | p50 | p99 | errors | memory (RssAnon) before → after |',
  '|---|---|---|---|---|---|---|---|',
];
for (const b of backends) {
  for (const r of b.results) {
    lines.push(
      `| ${b.name} | ${r.what} | ${r.side === 'anchor' ? 'bare axum + sqlx' : 'SonoHub'} | ${r.rps.toFixed(0)} | ${f1(r.p50)} ms | ${f1(r.p99)} ms | ${r.errors} | ${r.rssBefore.toFixed(0)} → ${r.rssAfter.toFixed(0)} MB |`,
    );
  }
}
for (const b of backends) {
  const page = b.results.find((r) => r.side === 'SonoHub' && r.what.startsWith('library page'));
  const bare = b.results.find((r) => r.side === 'anchor' && r.what.startsWith('library page'));
  const reading = b.results.find((r) => r.side === 'SonoHub' && r.think);
  lines.push(
    '',
    `${b.name}: the library page serves ${(page.rps / bare.rps).toFixed(2)}× the anchor's requests/s. With ${CONNECTIONS} connections asking back to back its p99 is ${f1(page.p99)} ms; with ${CONNECTIONS} users reading (${reading.rps.toFixed(0)} pages/s) it is ${f1(reading.p99)} ms (goal: under 50 ms at ${CONNECTIONS} users).`,
  );
  lines.push(
    '',
    `${b.name}: ${b.dropped.count} library pages whose client closed the connection at the first bytes: server memory (RssAnon) ${b.dropped.before.toFixed(0)} → ${b.dropped.after.toFixed(0)} MB.`,
  );
  if (b.soak) {
    const s = b.soak.samples;
    lines.push(
      '',
      `${b.name} soak: the library page for ${b.soak.seconds} s (${b.soak.requests} requests, ${b.soak.errors} errors); server memory (RssAnon) sampled every ${Math.round(b.soak.seconds / (s.length - 1))} s: ${s.map((x) => x.toFixed(0)).join(' → ')} MB (last / first after warm-up: ${(s[s.length - 1] / s[1]).toFixed(2)}).`,
    );
  }
}
const table = lines.join('\n');
const file = path.join(root, 'BENCHMARKS.md');
let md = fs.readFileSync(file, 'utf8');
const begin = '<!-- load:begin -->';
const end = '<!-- load:end -->';
if (!md.includes(begin)) {
  md += `\n## Pages under load: SonoHub vs a bare axum + sqlx handler\n\nGoals (issue 19): no errors; the library page's p99 under 50 ms at 50 concurrent users on 2 cores; memory flat over 10 minutes.\n\nHow it is measured (\`end2end/bench/load.mjs\`): the demo library is seeded once, then grown offline by \`sonohub bench library\` (copies of the published cases, spread over sites and two years, each with attempts and consultation comments). \`sonohub bench anchor\` serves the same search from the same database through \`domain::cases::search\` alone: plain axum, no Leptos rendering, no session, no middleware. wrk drives each request in turn: back to back on 50 connections, and as 50 users reading (a random 0.5-1.5 s between a page and the next, wrk's \`delay()\`). Then 2,000 library pages are opened and closed by the client at the first bytes, and the server's memory is read before and after.\n\n${begin}\n${end}\n`;
}
md = md.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
fs.writeFileSync(file, md);
console.log(table);
