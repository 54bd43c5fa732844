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
  // Generous: a loaded 2-core CI machine can take seconds for one page; every wait is a condition.
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: `${results}/report.json` }]],
  use: {
    baseURL: process.env.CONSOLE_BASE_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
    actionTimeout: 60_000,
    navigationTimeout: 90_000,
    launchOptions: {
      executablePath: process.env.CONSOLE_CHROMIUM ?? '/usr/bin/chromium',
      // CI runs as root, where Chromium's sandbox cannot start; the pages are our own, on loopback.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
