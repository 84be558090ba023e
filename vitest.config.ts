import { defineConfig } from 'vitest/config';

// Unit and CLI tests of the Electron-free core. Browser e2e lives in e2e/ and runs under Playwright.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
