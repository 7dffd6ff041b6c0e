/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type errors are caught by `npm run typecheck`; jest only needs to transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testTimeout: 30000,
  // A real redis-server for test/stores/redis.test.ts (REDIS_URL, when set, is used instead).
  globalSetup: '<rootDir>/test/setup/redis-global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/redis-global-teardown.ts',
};
