#!/usr/bin/env node
/**
 * Measures the embedded read store alone, by hand (not part of `npm run bench`): 100,000 user-like
 * documents with the users collection's indexes and stored-apart SCIM JSON, then lookups by userName,
 * pages of 100, counts, and the heap it keeps. CPU time (process.cpuUsage) besides wall time, since
 * the machine is shared.
 *
 *   node scripts/measure-read-store.js <compiled read-models src dir> [users]
 *
 * The directory holds the compiled `libs/read-models/src` (its index.js), so two builds, say before and
 * after a change, can be compared on the same machine.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const [, , libDir, usersArg] = process.argv;
if (!libDir) {
  console.error('usage: node scripts/measure-read-store.js <compiled libs/read-models/src dir> [users]');
  process.exit(2);
}
const { EmbeddedReadStore } = require(resolve(libDir, 'index.js'));
const { prepareReadModelStore } = require(resolve(libDir, 'projections', 'collections.js'));
const USERS = Number(usersArg ?? 100_000);
const ACCOUNTS = 2;
const COMMIT = 500;

function userDoc(n) {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const accountId = `account-${n % ACCOUNTS}`;
  const userName = `user${n}@example.com`;
  const scim = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, userName, name: { givenName: `Given${n}`, familyName: `Family${n}` }, emails: [{ value: userName, type: 'work', primary: true }], active: true };
  return {
    _id: id,
    accountId,
    source: 'scim',
    userName,
    search: { userName, emails: [{ value: userName }], displayName: `given${n} family${n}` },
    effectiveRoles: n % 10 === 0 ? ['admin'] : [],
    version: 1,
    _position: n + 1,
    resourceJson: JSON.stringify(scim),
  };
}

function measure(label, runs, body) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = body();
  return Promise.resolve(result).then(() => {
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const { user, system } = process.cpuUsage(cpu);
    const cpuMs = (user + system) / 1000;
    console.log(`${label.padEnd(44)} ${(cpuMs / runs * 1000).toFixed(1).padStart(9)} µs CPU/op ${(wallMs / runs * 1000).toFixed(1).padStart(9)} µs wall/op  (${runs} ops)`);
  });
}

async function main() {
  const directory = mkdtempSync(join(tmpdir(), 'measure-read-store-'));
  const store = EmbeddedReadStore.open({ file: join(directory, 'read-models.db') });
  try {
    await prepareReadModelStore(store);
    await measure(`commit ${USERS} users, ${COMMIT} per commit`, USERS, async () => {
      for (let first = 0; first < USERS; first += COMMIT) {
        const changes = [];
        for (let n = first; n < Math.min(USERS, first + COMMIT); n++) changes.push({ collection: 'users', id: userDoc(n)._id, doc: userDoc(n) });
        await store.commit(changes, { projection: 'users', position: first + COMMIT });
      }
    });
    await measure('replace 10,000 users, 500 per commit', 10_000, async () => {
      for (let first = 0; first < 10_000; first += COMMIT) {
        const changes = [];
        for (let n = first; n < first + COMMIT; n++) changes.push({ collection: 'users', id: userDoc(n)._id, doc: { ...userDoc(n), version: 2 } });
        await store.commit(changes, { projection: 'users', position: USERS + first + COMMIT });
      }
    });
    const lookups = 5_000;
    await measure('find by userName (SCIM filter userName eq)', lookups, async () => {
      for (let i = 0; i < lookups; i++) {
        const n = (i * 7919) % USERS;
        const found = await store.find('users', { accountId: `account-${n % ACCOUNTS}`, source: 'scim', 'search.userName': `user${n}@example.com` }, { limit: 2, fields: ['resourceJson'] });
        if (found.length !== 1) throw new Error(`user${n} not found`);
      }
    });
    const pages = 200;
    const perAccount = USERS / ACCOUNTS;
    await measure('page of 100 (skip/limit, fields resourceJson)', pages, async () => {
      for (let i = 0; i < pages; i++) {
        const skip = Math.floor(((i * 104729) % perAccount) / 100) * 100;
        const page = await store.find('users', { accountId: 'account-1', source: 'scim' }, { skip, limit: 100, fields: ['resourceJson'] });
        if (page.length === 0) throw new Error('empty page');
      }
    });
    await measure('count of an account', pages, async () => {
      for (let i = 0; i < pages; i++) if ((await store.count('users', { accountId: 'account-1', source: 'scim' })) !== perAccount) throw new Error('count');
    });
    await measure('filter by regex (no index), count', 5, async () => {
      for (let i = 0; i < 5; i++) await store.count('users', { accountId: 'account-1', 'search.userName': { $regex: '^user1234' } });
    });
    global.gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    console.log(`heap used after a full collection ${(heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(rss / 2 ** 20).toFixed(0)} MiB${global.gc ? '' : ' (run with --expose-gc for a collected heap)'}`);
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
