import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests spawn plop, Python and a Kafka broker: run files in processes.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      {
        // Specs beside the code they test: in-process, no build, no venv, no broker.
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts'] },
      },
      {
        // The built bin, plop, generated code in Python and TypeScript, Kafka.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
