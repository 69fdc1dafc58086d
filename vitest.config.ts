import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['generators/**/*.spec.ts', 'test/**/*.test.ts'],
    // Integration tests spawn plop, Python and a Kafka broker: run files in processes.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
