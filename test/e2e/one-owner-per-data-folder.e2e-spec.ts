import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFolderInUseError } from '@scim/event-store';
import { ConfigError } from '../../apps/scim-api/src/config/app-config';
import { assertCanListen } from '../../apps/scim-api/src/config/listen-address';
import { scimClient, startTestApp, type TestApp, USER_SCHEMA } from '../support/test-app';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('One owner per data folder (issue 12)', () => {
  let dataDir: string;
  let first: TestApp | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'scim-owner-'));
  });

  afterEach(async () => {
    await first?.close(false);
    first = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a second service on the same DATA_DIR, naming the folder and the holder, and the first keeps serving', async () => {
    first = await startTestApp(dataDir);
    const account = await first.newAccount();

    const second = startTestApp(dataDir);
    await expect(second).rejects.toBeInstanceOf(DataFolderInUseError);
    await expect(second).rejects.toThrow(`DATA_DIR ${dataDir} is in use by another process (pid ${process.pid})`);

    const scim = scimClient(first, account);
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'still.served@example.com' }).expect(201);
    await scim.get('/Users?filter=userName eq "still.served@example.com"').expect(200);
  });

  it('gives the folder to the next service once the first has stopped', async () => {
    first = await startTestApp(dataDir);
    const account = await first.newAccount();
    await first.close(false);
    first = await startTestApp(dataDir);
    await first.http().get(`/scim/v2/${account.accountId}/Users`).set('Authorization', `Bearer ${account.token}`).expect(200);
  });

  it('keeps the folder and every file in it readable by the service user only, also when an older version left them open', async () => {
    first = await startTestApp(dataDir);
    await first.newAccount();
    await first.close(false);
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);

    first = await startTestApp(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['events.db', 'events.db-wal', 'read-models.db', 'auditor.key']));
    for (const name of files) expect([name, modeOf(join(dataDir, name)).toString(8)]).toEqual([name, '600']);
  });

  it('refuses a DATA_DIR that is a file, in one sentence', async () => {
    const file = join(dataDir, 'not-a-folder');
    writeFileSync(file, '');
    await expect(startTestApp(file)).rejects.toThrow(new ConfigError(`DATA_DIR ${file} is a file, not a folder`));
  });
});

describe('Listening is checked before anything is opened (issue 12)', () => {
  let busy: Server;
  let port: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('names a port in use', async () => {
    await expect(assertCanListen(port, '127.0.0.1')).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('names a HOST that does not resolve', async () => {
    await expect(assertCanListen(port + 1, 'no-such-host.invalid')).rejects.toThrow('HOST "no-such-host.invalid" cannot be resolved');
  });

  it('lets a free port through and leaves it free', async () => {
    busy.close();
    await assertCanListen(port, '127.0.0.1');
    await assertCanListen(port, '127.0.0.1');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
  });
});
