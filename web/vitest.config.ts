// Component tests: jsdom, Testing Library, no network (fetch is stubbed per test).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    environmentOptions: { jsdom: { url: 'http://console.test/' } },
    restoreMocks: true,
  },
});
