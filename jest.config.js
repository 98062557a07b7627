/** Three tiers (shared/STYLE.md §15): *.spec.ts (pure), *.contract-spec.ts (every adapter), *.e2e-spec.ts (HTTP). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '(apps|libs|test)/.*\\.(spec|contract-spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleNameMapper: {
    '^@scim/(domain|scim-protocol|event-store|read-models|public-events|provisioning)$': '<rootDir>/libs/$1/src',
    '^@scim/(domain|scim-protocol|event-store|read-models|public-events|provisioning)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
