// End-to-end run against a live platform (see e2e/run.sh): Node environment, one file at a
// time, generous timeouts (provisioning a tenant takes about a second, a browser start more).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});
