// Helpers the benchmarks that start their own servers share.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';

/** The bundle a started server hands out: the workspace's, whatever folder the bench runs in
 *  (the server resolves its default, target/site, against its working folder). */
const SITE_ROOT = path.resolve(import.meta.dirname, '../../target/site');

/** A TCP port free on loopback right now. */
export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `program` and keeps its output in `log`; `seen(text, seconds)` waits for a line
 *  containing `text`, `stop()` ends it with SIGTERM. It serves the workspace's bundle unless
 *  `env` or the environment names another LEPTOS_SITE_ROOT. */
export function startProcess(program, args, env, log) {
  // The process writes straight into its log file, not through a pipe to this process: a
  // bench blocked in execFileSync (wrk) reads no pipe, and a server whose full pipe blocks
  // its log writes stops answering altogether.
  const out = fs.openSync(log, 'w');
  const child = spawn(program, args, {
    env: { LEPTOS_SITE_ROOT: SITE_ROOT, ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  child.seen = async (needle, seconds) => {
    for (let i = 0; i < seconds * 10; i++) {
      if (fs.readFileSync(log, 'utf8').includes(needle)) return;
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: see ${log}`);
      await sleep(100);
    }
    throw new Error(`no "${needle}" after ${seconds} s: see ${log}`);
  };
  child.stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return child;
}

/** The gzip -9 size of `files` together, as BENCHMARKS.md counts downloads. */
export const gzipSize = (files) => files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length, 0);
