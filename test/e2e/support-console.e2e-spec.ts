import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../support/browser';
import { accountAdmin, eventually, GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

const skipReason = browserSkipReason('support console');

/**
 * Issue 6 deliverable 7, in a real browser: support staff open the console, search a user and see
 * the provenance of each role, the user's timeline and the account's provisioning activity.
 */
(skipReason ? describe.skip : describe)('support console in headless Chromium (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let baseUrl: string;
  let browser: Browser;
  let adminKey: string;
  const story = {} as { grace: string; convertReq: string; addEngReq: string; mapEngReq: string };
  const hostileName = '<img src=x onerror="window.__xss=1">Ops';

  beforeAll(async () => {
    requireChromium();
    testApp = await startTestApp();
    await testApp.app.listen(0, '127.0.0.1');
    const { port } = testApp.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;

    account = await testApp.newAccount('Console');
    const scim = scimClient(testApp, account);
    const admin = accountAdmin(testApp, account);
    adminKey = (await admin('post', '/admin-keys', { label: 'support desk' }).expect(201)).body.key;
    for (const role of ['billing', 'developer', 'ops']) await admin('post', '/roles', { role }).expect(201);

    story.grace = (await admin('post', '/users', { userName: 'grace@acme.com' }).expect(201)).body.id;
    await admin('post', `/users/${story.grace}/roles`, { role: 'billing' }).expect(201);
    story.convertReq = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'grace@acme.com' }).expect(201)).headers['x-request-id'];
    const eng = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering' }).expect(201)).body.id;
    // A group name an IdP could send: it must be shown as text, never run as markup.
    const ops = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: hostileName }).expect(201)).body.id;
    story.mapEngReq = (await admin('put', `/groups/${eng}/roles`, { roles: ['developer'] }).expect(200)).headers['x-request-id'];
    await admin('put', `/groups/${ops}/roles`, { roles: ['ops'] }).expect(200);
    const addMember = (groupId: string) =>
      scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: story.grace }] }] }).expect(204);
    story.addEngReq = (await addMember(eng)).headers['x-request-id'];
    await addMember(ops);
    await eventually(async () => {
      const roles = (await admin('get', `/users/${story.grace}`).expect(200)).body.roles.map((r: { role: string }) => r.role);
      expect(roles).toEqual(['billing', 'developer', 'ops']);
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  async function openConsole(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    const response = await page.goto(`${baseUrl}/support/console`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    return { page, problems };
  }

  it('searches a user and shows every role with its provenance, the timeline and the activity', async () => {
    const { page, problems } = await openConsole();
    await page.fill('#credential', adminKey);
    await page.fill('#accountId', account.accountId);
    await page.click('#credentials button[type=submit]');
    // Page-side expressions as strings: the test compiles without the DOM typings.
    expect(await page.evaluate('sessionStorage.getItem("scim-support.credential")')).toBe(adminKey);
    expect(await page.evaluate('localStorage.length')).toBe(0);

    await page.fill('#userName', 'GRACE');
    await page.click('#search button[type=submit]');
    await page.waitForSelector('#roles-body tr[data-role="ops"]');

    const roleText = async (role: string) => (await page.locator(`#roles-body tr[data-role="${role}"]`).textContent()) ?? '';
    const billing = await roleText('billing');
    expect(billing).toContain('Pre-existing at conversion: assigned');
    expect(billing).toContain(`kept when converted to SCIM`);
    expect(billing).toContain(`(request ${story.convertReq})`);
    const developer = await roleText('developer');
    expect(developer).toContain('Via group "Engineering"');
    expect(developer).toContain(`member since`);
    expect(developer).toContain(`by SCIM token ${account.tokenId} (request ${story.addEngReq})`);
    expect(developer).toContain(`group mapped to developer`);
    expect(developer).toContain(`(request ${story.mapEngReq})`);
    const ops = await roleText('ops');
    expect(ops).toContain(`Via group "${hostileName}"`);
    expect(await page.locator('#roles-body tr').count()).toBe(3);
    expect(await page.locator('#roles-body li[data-kind]').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')))).toEqual([
      'pre-existing-at-conversion',
      'group',
      'group',
    ]);

    // Escaped: the hostile name is text, no element was made from it and its handler never ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');

    const timeline = await page.locator('#timeline-body tr').allTextContents();
    expect(timeline[0]).toContain('Created manually as grace@acme.com');
    expect(timeline.some((row) => row.includes('Role developer granted via group "Engineering"'))).toBe(true);

    await page.waitForSelector('#activity-body li[data-outcome="converted"]');
    const converted = await page.locator(`#activity-body tr[data-correlation-id="${story.convertReq}"]`).textContent();
    expect(converted).toContain('converted User grace@acme.com');
    expect(converted).toContain(account.tokenId);

    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the API refusal when the credential is wrong', async () => {
    const { page } = await openConsole();
    await page.fill('#credential', 'admin.wrong.credential');
    await page.fill('#accountId', account.accountId);
    await page.click('#credentials button[type=submit]');
    await page.fill('#userName', 'grace');
    await page.click('#search button[type=submit]');
    await page.waitForSelector('#status.error');
    expect(await page.locator('#status').textContent()).toContain('Support credential missing or wrong');
    expect(await page.locator('#roles-body tr').count()).toBe(0);
    await page.close();
  }, 60_000);
});
