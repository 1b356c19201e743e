// Fetches OHIF's prebuilt viewer (the npm package @ohif/app, its dist/) into end2end/.ohif/,
// checked against the registry's integrity hash; only the npm registry is needed.
//
// `node ohif/fetch.mjs` prints the dist folder. The OHIF test calls `ensureOhif()` itself.
// Not a devDependency: @ohif/app's dependencies do not resolve from the registry
// (@ohif/i18n@3.13.2 was never published) and its dist needs none of them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The OHIF release the conformance test runs. */
export const OHIF_VERSION = '3.13.2';
/** `npm view @ohif/app@3.13.2 dist.integrity` */
const OHIF_INTEGRITY =
  'sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==';

const cache = join(dirname(fileURLToPath(import.meta.url)), '..', '.ohif');

/** Returns the path of OHIF's dist/, downloading and unpacking it on first use. */
export function ensureOhif() {
  const home = join(cache, OHIF_VERSION);
  const dist = join(home, 'dist');
  // The stamp is written last, so an interrupted unpack is redone.
  if (existsSync(join(home, 'complete'))) return dist;

  mkdirSync(cache, { recursive: true });
  const tarball = join(cache, `ohif-app-${OHIF_VERSION}.tgz`);
  if (!existsSync(tarball) || integrity(tarball) !== OHIF_INTEGRITY) {
    execFileSync('npm', ['pack', `@ohif/app@${OHIF_VERSION}`, '--pack-destination', cache, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const got = integrity(tarball);
  if (got !== OHIF_INTEGRITY) {
    throw new Error(`@ohif/app@${OHIF_VERSION}: integrity ${got}, expected ${OHIF_INTEGRITY}`);
  }

  const partial = `${home}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1', 'package/dist']);
  rmSync(home, { recursive: true, force: true });
  renameSync(partial, home);
  writeFileSync(join(home, 'complete'), `${OHIF_VERSION}\n`);
  return dist;
}

function integrity(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(ensureOhif());
}
