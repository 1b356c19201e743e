// Playwright drives Debian's Chromium against a SonoHub server with demo data: the release
// build, or SONOHUB_E2E_SERVER (make test passes the binary its integration tests built).
import { defineConfig } from '@playwright/test';

const port = Number(process.env.SONOHUB_E2E_PORT ?? 3107);
const base = `http://127.0.0.1:${port}`;
const data = process.env.SONOHUB_E2E_DATA ?? '../target/e2e-data';
const server = process.env.SONOHUB_E2E_SERVER ?? '../target/release/sonohub';
// tests/ohif.spec.ts reads SonoHub's DICOMweb with this bearer token from an OHIF viewer on
// its own origin (this port), which SonoHub lets in with CORS. Set here so the test reads
// the same values.
process.env.SONOHUB_DICOMWEB_TOKEN ??= 'end2end-dicomweb-bearer-token';
process.env.SONOHUB_E2E_OHIF_PORT ??= String(port + 100);

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: base,
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // The replay recorder's microphone: a fake device (a tone), allowed without asking.
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    },
  },
  projects: [
    { name: 'desktop', testIgnore: /phone\.spec\.ts/ },
    {
      // A phone held upright, with touch: the doctor on the ward or on the road.
      name: 'phone',
      testMatch: /phone\.spec\.ts/,
      use: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true },
    },
  ],
  webServer: {
    command: `rm -rf ${data} && ${server} serve --demo --addr 127.0.0.1:${port} --dicom-addr 127.0.0.1:0 --data ${data}`,
    url: `${base}/healthz`,
    // The demo's Orthanc archive is tested by the server's integration tests; here it would
    // only race the archive settings the tests change.
    env: {
      LEPTOS_SITE_ROOT: '../target/site',
      RUST_LOG: 'warn',
      SONOHUB_DEMO_ARCHIVE: 'off',
      SONOHUB_DICOMWEB_TOKEN: process.env.SONOHUB_DICOMWEB_TOKEN,
      SONOHUB_DICOMWEB_CORS: `http://127.0.0.1:${process.env.SONOHUB_E2E_OHIF_PORT}`,
    },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
