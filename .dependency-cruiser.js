/**
 * Architecture boundaries (shared/STYLE.md), checked in CI by `npm run boundaries`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
// `to.path` is the resolved file, so packages are matched by their node_modules folder.
const pkg = (names) => `(^|/)node_modules/(${names})/`;
const FRAMEWORKS = pkg('@nestjs|express|class-validator|class-transformer|reflect-metadata|rxjs');
const DRIVERS = pkg('better-sqlite3|@eventstore/db-client|mongodb');

module.exports = {
  forbidden: [
    {
      name: 'pure-libs-no-io',
      comment: 'The domain, the SCIM protocol lib and the public event vocabulary do no I/O: no driver, no node:fs/net/http.',
      severity: 'error',
      from: { path: '^libs/(domain|scim-protocol|public-events)/' },
      to: { path: `${DRIVERS}|^(node:)?(fs|net|http|https|child_process)$` },
    },
    {
      name: 'domain-is-innermost',
      comment: 'The domain depends on no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: '^libs/(?!domain/)' },
    },
    {
      name: 'protocol-independent-of-storage',
      severity: 'error',
      from: { path: '^libs/(scim-protocol|public-events)/' },
      to: { path: '^libs/(event-store|read-models)/' },
    },
    {
      name: 'libs-framework-free',
      comment: 'Libraries are framework-free; Nest lives in apps/.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'event-drivers-only-in-event-store',
      comment: 'Only libs/event-store imports the event-store drivers.',
      severity: 'error',
      from: { pathNot: '^libs/event-store/' },
      to: { path: pkg('@eventstore/db-client') },
    },
    {
      name: 'sqlite-only-in-store-libs',
      comment: 'better-sqlite3 backs the embedded event log and the embedded read store, nothing else.',
      severity: 'error',
      from: { pathNot: '^libs/(event-store|read-models)/' },
      to: { path: pkg('better-sqlite3') },
    },
    {
      name: 'mongodb-only-in-read-models',
      severity: 'error',
      from: { pathNot: '^libs/read-models/' },
      to: { path: pkg('mongodb') },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default'] },
  },
};
