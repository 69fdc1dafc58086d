import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['generators/**/*.spec.ts', 'test/**/*.test.ts'], pool: 'forks', testTimeout: 120000, hookTimeout: 180000 } });
