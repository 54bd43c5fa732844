// Playwright drives the system's Chromium (Debian's package): nothing is downloaded.
import { defineConfig } from '@playwright/test';

const results = process.env.CONSOLE_RESULTS ?? 'results';

export default defineConfig({
  testDir: './specs',
  outputDir: `${results}/artifacts`,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 240_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: `${results}/report.json` }]],
  use: {
    baseURL: process.env.CONSOLE_BASE_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CONSOLE_CHROMIUM ?? '/usr/bin/chromium',
      // CI runs as root, where Chromium's sandbox cannot start; the pages are our own, on loopback.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
