import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../support/browser';
import { accountAdmin, GROUP_SCHEMA, OPERATOR_KEY, PATCH_OP, startTestApp, USER_SCHEMA, type TestApp } from '../support/test-app';

const skipReason = browserSkipReason('account console');

/** `CONSOLE_SCREENSHOTS=docs/console npx jest account-console` refreshes the README's screenshots. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * Issue 16 item 8: the seed's whole flow in a real browser, by accessible names (role + label):
 * sign in, enable SCIM, copy the base URL, generate a 90-day token, provision over SCIM with it,
 * see users and groups with their sources, map the group to a role, see the role's provenance,
 * remove a manual role, revoke the token and see the IdP refused.
 */
(skipReason ? describe.skip : describe)('account console in headless Chromium (e2e)', () => {
  let testApp: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let accountId: string;
  let adminKey: string;
  let grace: string;

  beforeAll(async () => {
    requireChromium();
    // CI runs `npm test` without `npm run build`: build the console from its sources (`npm run
    // typecheck` type-checks them), into dist/console where the API serves it from.
    const build = spawnSync(process.execPath, [join(__dirname, '../../node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/console/vite.config.mts'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);

    testApp = await startTestApp();
    await testApp.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
    accountId = (await testApp.operator('post', '/admin/accounts', { name: 'Acme Corp' }).expect(201)).body.accountId;
    const admin = accountAdmin(testApp, { accountId, token: '', tokenId: '', base: '' });
    adminKey = (await admin('post', '/admin-keys', { label: 'Acme IT' }).expect(201)).body.key;
    await admin('post', '/roles', { role: 'developer', description: 'Deploys the services' }).expect(201);
    // A manual user with a manual role, whom the IdP will later take over (converted, role kept).
    grace = (await admin('post', '/users', { userName: 'grace@acme.test', displayName: 'Grace Hopper' }).expect(201)).body.id;
    await admin('post', `/users/${grace}/roles`, { role: 'user' }).expect(201);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A refused request shows in the console as a failed resource; the page shows its reason itself.
      if (message.type() === 'error' && !message.text().includes('the server responded with a status of')) problems.push(`console error: ${message.text()}`);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
  });

  const heading = (name: string) => page.getByRole('heading', { name, level: 1 });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name });
  const clipboard = () => page.evaluate('navigator.clipboard.readText()') as Promise<string>;

  /** Every control has an accessible name, and at 390 px the page is no wider than the screen. */
  async function checkPage(name: string): Promise<void> {
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
      .map((el) => el.outerHTML)`);
    expect([name, unlabelled]).toEqual([name, []]);
    await page.setViewportSize(PHONE);
    const wide = await page.evaluate(`[...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > ${PHONE.width} && !el.closest('.table-wrap')).map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right)).slice(0, 8)`);
    expect([name, await page.evaluate('document.documentElement.scrollWidth'), wide]).toEqual([name, PHONE.width, []]);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
      await page.setViewportSize(DESKTOP);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
    }
    await page.setViewportSize(DESKTOP);
  }

  /** The IdP's side: SCIM requests with the token the console showed, at the base URL it showed. */
  const idp = (scimBase: string, token: string) => (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}${new URL(scimBase).pathname}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('walks the seed flow: SCIM on, token, provisioning, sources, role mapping, provenance, revocation', async () => {
    // Sign in with the account admin key: the account comes from the key.
    const response = await page.goto(`${baseUrl}/console`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    if (SCREENSHOTS) await checkPage('sign-in');
    await page.getByLabel('Admin key').fill('admin.wrong.key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('credential missing or wrong').waitFor();
    await page.getByLabel('Admin key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Identity and access').waitFor();
    expect(await page.evaluate('localStorage.length')).toBe(0);

    // User lifecycle > Automated user provisioning with SCIM.
    await page.getByRole('heading', { name: 'User lifecycle' }).waitFor();
    await page.getByRole('heading', { name: 'Automated user provisioning with SCIM' }).waitFor();
    const sync = page.getByRole('switch', { name: 'Enable users and group sync' });
    expect(await sync.isChecked()).toBe(false);
    await sync.click();
    const baseUrlField = page.getByLabel('SCIM base URL');
    await baseUrlField.waitFor();
    const scimBase = await baseUrlField.inputValue();
    expect(scimBase).toBe(`https://scim.test/scim/v2/${accountId}`);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied').waitFor();
    expect(await clipboard()).toBe(scimBase);

    // Generate token: valid for 90 days, labelled; shown once with Copy and Done.
    await page.getByRole('button', { name: 'Generate token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate token' });
    await dialog.getByRole('radio', { name: '90 days' }).check();
    await dialog.getByLabel('Label (optional)').fill('Okta production');
    await dialog.getByRole('button', { name: 'Generate token' }).click();
    const shown = page.getByRole('dialog', { name: 'Token generated' });
    const token = await shown.getByLabel('Token').inputValue();
    expect(token).toMatch(/^scim\.[0-9a-f-]{36}\.[\w-]{43}$/);
    expect(await shown.getByLabel('Token').getAttribute('readonly')).not.toBeNull();
    await shown.getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await clipboard()).toBe(token);
    await shown.getByRole('button', { name: 'Done' }).click();
    const tokenRow = page.getByRole('row', { name: /Okta production/ });
    await tokenRow.waitFor();
    expect(await tokenRow.textContent()).toContain('active');
    const tokens = (await accountAdmin(testApp, { accountId, token: '', tokenId: '', base: '' })('get', '/scim/tokens').expect(200)).body.items;
    expect(Date.parse(tokens[0].expiresAt) - Date.parse(tokens[0].issuedAt)).toBe(90 * 86_400_000);
    await checkPage('identity-and-access');

    // The IdP provisions with that token: a new user, the manual user converted, a group pushed.
    const scim = idp(scimBase, token);
    const idOf = async (response: Response) => ((await response.json()) as { id: string }).id;
    const alan = await idOf(await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'alan@acme.test', name: { formatted: 'Alan Turing' } }));
    expect((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'grace@acme.test' })).status).toBe(201);
    const engineering = await idOf(await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering' }));
    const push = await scim('PATCH', `/Groups/${engineering}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: alan }, { value: grace }] }] });
    expect(push.status).toBe(204);
    const duplicate = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ALAN@acme.test' });
    expect(duplicate.status).toBe(409);
    const refusal = ((await duplicate.json()) as { detail: string }).detail;

    // Access > Users: both, Source SCIM; searchable by name.
    await nav('Users').click();
    await heading('Users').waitFor();
    const alanRow = page.getByRole('row', { name: /alan@acme\.test/ });
    await alanRow.waitFor();
    expect(await alanRow.getByText('SCIM', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('row', { name: /grace@acme\.test/ }).getByText('SCIM', { exact: true }).count()).toBe(1);
    await page.getByLabel('Search users').fill('alan tu');
    await page.getByRole('row', { name: /grace@acme\.test/ }).waitFor({ state: 'detached' });
    expect(await alanRow.count()).toBe(1);
    await page.getByLabel('Search users').fill('');
    await page.getByRole('row', { name: /grace@acme\.test/ }).waitFor();
    await checkPage('users');

    // Access > Groups: the IdP's group next to the default Platform groups.
    await nav('Groups').click();
    await heading('Groups').waitFor();
    const sourceOf = async (group: string) => (await page.getByRole('row', { name: new RegExp(`^${group}`) }).getByRole('cell').nth(1).textContent())?.trim();
    await page.getByRole('link', { name: 'Engineering' }).waitFor();
    expect(await sourceOf('Engineering')).toBe('SCIM');
    expect(await sourceOf('Administrators')).toBe('Platform');
    expect(await sourceOf('Users')).toBe('Platform');
    await checkPage('groups');

    // Map the group to a role; its membership belongs to the IdP.
    await page.getByRole('link', { name: 'Engineering' }).click();
    await heading('Engineering SCIM').waitFor();
    await page.getByText('Membership is managed by your identity provider').waitFor();
    expect(await page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await page.getByRole('checkbox', { name: /developer/ }).check();
    await page.getByRole('button', { name: 'Save role mapping' }).click();
    await page.getByRole('row', { name: /alan@acme\.test/ }).waitFor();
    await checkPage('group-detail');

    // The member holds the role, with its provenance (the grant is written by a process: reload until it shows).
    await page.getByRole('link', { name: 'alan@acme.test' }).click();
    await heading('alan@acme.test').waitFor();
    const developer = page.getByRole('row', { name: /^developer/ });
    const roles = page.getByRole('region', { name: 'Roles and where they come from' });
    await roles.waitFor();
    for (let attempt = 0; (await developer.count()) === 0 && attempt < 100; attempt++) {
      await page.reload();
      await roles.waitFor();
    }
    expect(await developer.textContent()).toContain('Via group Engineering');
    expect(await developer.getByRole('link', { name: 'Engineering' }).first().getAttribute('href')).toBe(`#/${accountId}/groups/${engineering}`);
    expect(await developer.textContent()).toContain('it cannot be removed here');
    expect(await developer.getByRole('button').count()).toBe(0);
    await checkPage('user-detail');

    // Remove a manual role: Grace's, kept from before the conversion.
    await page.goto(`${baseUrl}/console#/${accountId}/users/${grace}`);
    await heading('grace@acme.test').waitFor();
    const userRole = page.getByRole('row', { name: /^user/ });
    await userRole.waitFor();
    expect(await userRole.textContent()).toContain('kept when the user was converted to SCIM');
    await page.getByRole('button', { name: 'Remove role user' }).click();
    await userRole.waitFor({ state: 'detached' });

    // Activity: the IdP's requests, with the token by its label.
    await nav('Activity').click();
    await heading('Activity').waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    await page.getByRole('row', { name: /converted User grace@acme\.test/ }).waitFor();
    expect(await page.getByRole('row', { name: /created User alan@acme\.test/ }).textContent()).toContain('token "Okta production"');
    // The refused request, with the reason the IdP was given.
    expect(await page.getByRole('row', { name: /Refused User/ }).textContent()).toContain(refusal);
    const perToken = page.getByRole('region', { name: 'Requests per token' }).getByRole('row', { name: /Okta production/ });
    // Two users, a group, its members, and the refused duplicate.
    expect(await perToken.getByRole('cell').allTextContents()).toEqual(['token "Okta production"', expect.any(String), '5', '1']);
    await checkPage('activity');

    // Support: why Grace has her roles.
    await page.goto(`${baseUrl}/console#/${accountId}/support/${grace}`);
    await page.getByRole('heading', { name: 'Why grace@acme.test has these roles' }).waitFor();
    await page.getByRole('row', { name: /^developer/ }).waitFor();
    expect(await page.getByRole('row', { name: /^developer/ }).textContent()).toContain('token "Okta production"');
    await checkPage('support');

    // Revoke the token: the IdP's next call is refused.
    await nav('Identity and access').click();
    page.once('dialog', (confirm) => void confirm.accept());
    await page.getByRole('button', { name: 'Revoke token Okta production' }).click();
    await page.getByRole('row', { name: /Okta production/ }).getByText('revoked').waitFor();
    const refused = await scim('GET', '/Users');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toContain('revoked');

    expect(problems).toEqual([]);
  }, 180_000);

  async function signIn(key: string): Promise<void> {
    await page.goto(`${baseUrl}/console`);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    await page.getByLabel('Admin key').or(signOut).first().waitFor();
    if (await signOut.isVisible()) await signOut.click();
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('lets the operator find and create accounts, and the auditor read support views only', async () => {
    await signIn(OPERATOR_KEY);
    await heading('Accounts').waitFor();
    await page.getByLabel('Search accounts').fill('acme');
    await page.getByRole('link', { name: 'Acme Corp' }).waitFor();
    await checkPage('accounts');
    await page.getByLabel('Account name').fill('Globex');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Identity and access').waitFor();
    expect(await page.getByRole('switch', { name: 'Enable users and group sync' }).isChecked()).toBe(false);
    // A new account starts with the default Platform groups, mapped to the default roles.
    await nav('Groups').click();
    await page.getByRole('link', { name: 'Administrators' }).waitFor();
    const groups = await page.getByRole('region', { name: 'Groups' }).getByRole('row').allTextContents();
    expect(groups.slice(1)).toEqual(['AdministratorsPlatform0administrator', 'UsersPlatform0user']);

    const auditorKey = readFileSync(join(testApp.dataDir, 'auditor.key'), 'utf8').trim();
    await signIn(auditorKey);
    await page.getByLabel('Account ID').fill(accountId);
    await page.getByRole('button', { name: 'Open account' }).click();
    await heading('Support').waitFor();
    const links = await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
    expect(links).toEqual(['Activity', 'Support']);
    await page.getByLabel('Find a user by user name').fill('GRACE');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: 'grace@acme.test' }).click();
    await page.getByRole('row', { name: /^developer/ }).waitFor();
    // Read-only: no control that changes anything.
    expect(await page.getByRole('button', { name: /Remove|Revoke|Assign|Save|Create|Generate/ }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);
});
