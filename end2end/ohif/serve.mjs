// Serves OHIF's prebuilt viewer the way a static host would (files, single-page fallback to
// index.html) with our app-config.js, in one of two modes:
//   same origin:  DICOMweb at /dicom-web on OHIF's own origin, proxied to SonoHub unchanged;
//   cross origin: OHIF calls SonoHub's /dicom-web directly (SonoHub needs --dicomweb-cors).
//
//   node ohif/serve.mjs --port 3200 --sonohub http://127.0.0.1:3150 --token <token> [--cross-origin]
import { createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureOhif } from './fetch.mjs';

const CONFIG = join(dirname(fileURLToPath(import.meta.url)), 'app-config.js');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts OHIF on 127.0.0.1:`port` (0: any free port) reading SonoHub at `sonohub`
 * (http://host:port). Resolves to `{ origin, dicomWebRoot, close }`.
 */
export function startOhif({ port = 0, sonohub, token, crossOrigin = false, dist = ensureOhif() }) {
  const target = new URL(sonohub);
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://ohif').pathname);
    if (!crossOrigin && (path === '/dicom-web' || path.startsWith('/dicom-web/'))) {
      return proxy(req, res, target);
    }
    if (path === '/app-config.js') {
      const preamble = `window.sonohubOhif = ${JSON.stringify({ dicomWebRoot: server.dicomWebRoot, token })};\n`;
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
      return res.end(preamble + readFileSync(CONFIG, 'utf8'));
    }
    const file = normalize(join(dist, path));
    if (file.startsWith(dist + sep) && isFile(file)) {
      return send(res, file);
    }
    // OHIF's routes (/, /viewer, /notfoundstudy …) are the single page; a missing asset is a 404.
    if (extname(path) === '') return send(res, join(dist, 'index.html'));
    res.writeHead(404, { 'content-type': TYPES['.txt'] });
    res.end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      server.dicomWebRoot = crossOrigin ? `${target.origin}/dicom-web` : `${origin}/dicom-web`;
      resolve({
        origin,
        dicomWebRoot: server.dicomWebRoot,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function send(res, file) {
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
  });
  createReadStream(file).pipe(res);
}

/** Passes the request to SonoHub as it came (method, headers, body) and its answer back. */
function proxy(req, res, target) {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': TYPES['.txt'] });
    res.end(`SonoHub unreachable: ${err.message}\n`);
  });
  req.pipe(upstream);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3200' },
      sonohub: { type: 'string', default: 'http://127.0.0.1:3107' },
      token: { type: 'string', default: process.env.SONOHUB_DICOMWEB_TOKEN ?? '' },
      'cross-origin': { type: 'boolean', default: false },
    },
  });
  const ohif = await startOhif({
    port: Number(values.port),
    sonohub: values.sonohub,
    token: values.token,
    crossOrigin: values['cross-origin'],
  });
  console.log(`OHIF at ${ohif.origin}, DICOMweb at ${ohif.dicomWebRoot}`);
}
