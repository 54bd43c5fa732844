// The web console in a real browser: every page signed in with the keys, every credential type
// created through its generated form, edits, errors, deletion, registrations, audit, sign-out,
// tenancy; axe-core on every page; no secret and no key anywhere they must not be.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const apiKey = process.env.CONSOLE_API_KEY;
const appKey = process.env.CONSOLE_APP_KEY;
const other = JSON.parse(process.env.CONSOLE_OTHER_ORG ?? '{}');
const results = process.env.CONSOLE_RESULTS ?? 'results';
const serverLog = process.env.CONSOLE_SERVER_LOG;
const shots = path.join(results, 'screenshots');
fs.mkdirSync(shots, { recursive: true });

// Every secret typed into a form is a canary: it must never come back from the server.
const run = Date.now().toString(36);
const canaries = [];
const canary = (field) => {
  const value = `canary-${field}-${run}-${canaries.length}`;
  canaries.push(value);
  return value;
};

// Every page the suite saw, as HTML, for the canary scan at the end.
const seen = [];

test.describe.configure({ mode: 'serial' });

/** @type {import('@playwright/test').Page} */
let page;
/** @type {import('@playwright/test').BrowserContext} */
let context;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  await context?.close();
});

/** Checks the page with axe (no serious or critical violation), saves a screenshot and its HTML. */
async function check(name, target = page) {
  await target.waitForLoadState('load');
  const axe = await new AxeBuilder({ page: target }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), `axe on ${name}`).toEqual([]);
  const viewport = target.viewportSize();
  await target.screenshot({ path: path.join(shots, `${name}-${viewport.width}x${viewport.height}.png`), fullPage: true });
  seen.push({ name, html: await target.content() });
}

async function signIn(target, api = apiKey, app = appKey) {
  await target.goto('/console/sign-in');
  await target.getByLabel('API key').fill(api);
  await target.getByLabel('Application key').fill(app);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

/** Chooses an integration (and credential type) on the new-connection page. */
async function choose(integration, credential) {
  await page.goto('/console/connections/new');
  await page.getByLabel('Integration', { exact: true }).selectOption(integration);
  await page.getByRole('button', { name: 'Choose' }).click();
  if (credential) {
    await page.getByLabel('Credential type', { exact: true }).selectOption(credential);
    await page.getByRole('button', { name: 'Choose' }).click();
  }
  await expect(page.locator('form legend').first()).toContainText(credential ?? '');
}

/** A plausible value for a non-secret field, by its input name (a JSON pointer). */
function plainValue(name) {
  if (name.endsWith('/account_id')) return '123456789012';
  if (name.endsWith('/base_url')) return 'https://api.example.test';
  if (name.endsWith('/domain')) return 'example.okta.test';
  if (name.endsWith('/datacenter')) return 'datadoghq.com';
  if (name.endsWith('/auth_email') || name.endsWith('/service_account_email')) return 'robot@example.test';
  if (name.endsWith('/tags')) return 'team:console';
  return `value-${name.split('/').pop()}`;
}

/** Fills every input of the generated form: plain fields with plausible values, secrets with canaries. */
async function fillForm(name) {
  await page.getByLabel('Connection name', { exact: true }).fill(name);
  const inputs = page.locator('form[method="post"] :is(input[type="text"], input[type="password"], textarea):not([readonly])');
  const count = await inputs.count();
  let secrets = 0;
  for (let i = 0; i < count; i++) {
    const input = inputs.nth(i);
    const field = await input.getAttribute('name');
    if (field === '/data/attributes/name' || !(await input.isVisible())) continue;
    const secret = (await input.getAttribute('type')) === 'password' || field.endsWith('/private_key');
    await input.fill(secret ? canary(field.split('/').pop()) : plainValue(field));
    if (secret) secrets++;
  }
  return secrets;
}

test('the root and an unauthenticated page lead to sign-in, with the security headers', async () => {
  const response = await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/console/sign-in');
  const headers = response.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toContain('no-store');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await check('sign-in');
});

test('wrong keys are refused without saying which, and counted as an authentication failure', async () => {
  await page.goto('/console/sign-in');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByLabel('Application key').fill('f'.repeat(40));
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
  expect(response.status()).toBe(401);
  await expect(page.getByRole('alert')).toContainText('not accepted');
  await expect(page.getByLabel('API key')).toHaveValue('');
  await expect(page.getByLabel('API key')).toHaveAttribute('aria-invalid', 'true');
  await check('sign-in-error');
});

test('signs in with the keyboard alone; the session cookie is HttpOnly and SameSite=Strict', async () => {
  await page.goto('/console/sign-in');
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // brand
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('API key')).toBeFocused();
  await page.keyboard.type(apiKey);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Application key')).toBeFocused();
  await page.keyboard.type(appKey);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'ac_console_session');
  expect(session).toBeTruthy();
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe('Strict');
  expect(session.path).toBe('/console');
  expect(session.expires).toBe(-1);
});

test('an unregistered key sees the API refusal; registering it on the registrations page lifts it', async () => {
  await page.goto('/console/connections');
  await expect(page.getByRole('alert')).toContainText('registered application key');
  await page.getByRole('link', { name: 'App key registrations' }).first().click();
  await expect(page.getByRole('heading', { name: 'App key registrations' })).toBeVisible();
  await check('registrations-before');
  const row = page.getByRole('row').filter({ hasText: '(this session)' });
  await expect(row).toContainText('not registered');
  await row.getByRole('button', { name: /^Register/ }).click();
  await expect(page.getByRole('status')).toContainText('Registered');
  await expect(page.getByRole('row').filter({ hasText: '(this session)' })).toContainText('registered');
  await check('registrations');
  await page.getByRole('link', { name: 'Connections' }).first().click();
  await expect(page.getByText(/0 connections/)).toBeVisible();
  await check('connections-empty');
});

const created = {};

test('creates one connection of every credential type through the generated forms', async () => {
  // 25 forms; generous for a loaded 2-core machine.
  test.setTimeout(900_000);
  await page.goto('/console/connections/new');
  await check('new-connection-choose');
  const integrations = await page.getByLabel('Integration', { exact: true }).locator('option').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  expect(integrations.length).toBeGreaterThanOrEqual(24);
  for (const integration of integrations) {
    await choose(integration);
    const credentialSelect = page.getByLabel('Credential type', { exact: true });
    const credentials = (await credentialSelect.count()) > 0
      ? await credentialSelect.locator('option').evaluateAll((options) => options.map((o) => o.value))
      : [null];
    for (const credential of credentials) {
      if (credential) await choose(integration, credential);
      const legend = await page.locator('form legend').first().textContent();
      const type = credential ?? legend.replace('Credentials:', '').trim();
      const secrets = await fillForm(`${type} console`);
      if (integration === 'AWS' || integration === 'HTTP') await check(`new-${integration.toLowerCase()}`);
      await page.getByRole('button', { name: 'Create connection' }).click();
      await expect(page.getByRole('status')).toContainText('Saved');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${type} console`);
      await expect(page.locator('dl.props').first()).toContainText(type);
      created[type] = new URL(page.url()).pathname;
      // Each secret typed appears only as "set".
      await expect(page.locator('.badge', { hasText: 'set' })).toHaveCount(secrets);
    }
  }
  expect(Object.keys(created).length).toBeGreaterThanOrEqual(25);
});

test('a connection shows its fields, secrets only as "set", and AWS its trust policy', async () => {
  await page.goto(created.OktaAPIToken);
  await expect(page.getByText('example.okta.test')).toBeVisible();
  await expect(page.locator('.badge', { hasText: 'set' })).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Recent audit events' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'connection.create' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'console' })).toBeVisible();
  await expect(page.locator('#access-policy')).toContainText('No restriction policy');
  await expect(page.locator('#your-relation')).toContainText('editor');
  await check('connection');

  await page.goto(created.AWSAssumeRole);
  await expect(page.getByText('123456789012').first()).toBeVisible();
  const policy = JSON.parse(await page.locator('#trust-policy').textContent());
  const externalId = policy.Statement[0].Condition.StringEquals['sts:ExternalId'];
  expect(externalId).toMatch(/^[0-9a-f]{32}$/);
  expect(policy.Statement[0].Principal.AWS).toMatch(/^arn:aws:iam::\d{12}:root$/);
  await expect(page.locator('dl.props').nth(1)).toContainText(externalId);
  await check('connection-aws');

  await page.goto(created.HTTPTokenAuth);
  await expect(page.getByRole('heading', { name: 'Tokens' })).toBeVisible();
  await expect(page.getByText('https://api.example.test')).toBeVisible();
  await check('connection-http');
});

test('an API validation error is shown at its field, announced, and secrets are not echoed', async () => {
  await choose('AWS');
  await page.getByLabel('Connection name', { exact: true }).fill('bad account');
  await page.getByLabel('Account ID').fill('12345');
  await page.getByLabel('Role').fill('console-role');
  await page.getByRole('button', { name: 'Create connection' }).click();
  const accountId = page.getByLabel('Account ID');
  await expect(accountId).toHaveAttribute('aria-invalid', 'true');
  const describedBy = await accountId.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${describedBy.split(' ')[0]}"]`)).toContainText('does not match regex pattern');
  await expect(page.locator('#error-summary')).toBeFocused();
  await expect(page.locator('#error-summary')).toHaveAttribute('role', 'alert');
  await expect(accountId).toHaveValue('12345');
  await check('new-connection-error');

  await choose('OpenAI');
  await page.getByLabel('Connection name', { exact: true }).fill('missing token');
  const typed = canary('api_token');
  await page.getByLabel('Tags (optional)').fill('default:nope');
  await page.getByLabel('API token').fill(typed);
  await page.getByRole('button', { name: 'Create connection' }).click();
  await expect(page.getByLabel('Tags (optional)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('reserved').first()).toBeVisible();
  await expect(page.getByLabel('API token')).toHaveValue('');
  expect(await page.content()).not.toContain(typed);
});

test('edits a connection: rename and change a plain field, secrets kept when left empty', async () => {
  await page.goto(created.OktaAPIToken);
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('Domain')).toHaveValue('example.okta.test');
  await expect(page.getByLabel('API token')).toHaveValue('');
  await expect(page.getByLabel('API token')).toHaveAttribute('type', 'password');
  await check('edit-connection');
  await page.getByLabel('Connection name', { exact: true }).fill('Okta renamed');
  await page.getByLabel('Domain').fill('renamed.okta.test');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Okta renamed');
  await expect(page.getByText('renamed.okta.test')).toBeVisible();
  await expect(page.locator('.badge', { hasText: 'set' })).toHaveCount(1);
  await expect(page.getByRole('cell', { name: 'connection.update' })).toBeVisible();
});

test('replaces a secret, and edits the HTTP lists: add a token, remove a header', async () => {
  await page.goto(`${created.OpenAIAPIKey}/edit`);
  await page.getByLabel('API token').fill(canary('api_token'));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await expect(page.getByRole('cell', { name: 'connection.update' })).toBeVisible();

  await page.goto(`${created.HTTPTokenAuth}/edit`);
  await check('edit-http');
  const tokens = page.getByRole('group', { name: 'Tokens (optional)' });
  await tokens.getByRole('button', { name: 'Add a row to Tokens' }).click();
  const blank = tokens.locator('.row').filter({ has: page.locator('input[type="text"]:not([readonly])') });
  await blank.last().getByLabel('Name').fill('second');
  await blank.last().getByLabel('Value').fill(canary('token'));
  await blank.first().getByLabel('Name').fill('third');
  await blank.first().getByLabel('Value').fill(canary('token'));
  const headers = page.getByRole('group', { name: 'Headers (optional)' });
  await headers.getByLabel('Remove').first().check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  const tokenTable = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Tokens' }) }).locator('table').first();
  await expect(page.getByRole('cell', { name: 'second' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'third' })).toBeVisible();
  await expect(tokenTable.locator('.badge', { hasText: 'set' })).toHaveCount(3);
  await expect(page.getByRole('heading', { name: 'Headers' }).locator('xpath=following-sibling::*[1]')).toHaveText('None.');
});

test('the list searches by name, filters by integration, counts and pages', async () => {
  await page.goto('/console/connections');
  await expect(page.locator('#count')).toContainText('connections');
  await expect(page.getByText('Page 1 of 2')).toBeVisible();
  await check('connections');
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.getByText('Page 2 of 2')).toBeVisible();
  await page.getByLabel('Name contains').fill('cloudflare');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#count')).toContainText(/^\s*2 of \d+ connections match/);
  await page.getByLabel('Name contains').fill('');
  await page.getByLabel('Integration', { exact: true }).selectOption('AWS');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#count')).toContainText('1 of');
  const row = page.getByRole('row').filter({ hasText: 'AWSAssumeRole console' });
  await expect(row).toContainText('AWS');
  await expect(row).toContainText('admin');
  await expect(row.locator('time')).toHaveAttribute('datetime', /Z$/);
});

test('deletes a connection only when its name is typed', async () => {
  await page.goto(created.FastlyAPIKey);
  await page.getByRole('link', { name: 'Delete' }).click();
  await check('delete-connection');
  await page.getByLabel('Connection name').fill('not the name');
  await page.getByRole('button', { name: 'Delete connection' }).click();
  await expect(page.getByRole('alert')).toContainText('nothing was deleted');
  await page.getByLabel('Connection name').fill('FastlyAPIKey console');
  await page.getByRole('button', { name: 'Delete connection' }).click();
  await expect(page.locator('.notice')).toContainText('deleted');
  const response = await page.goto(created.FastlyAPIKey);
  expect(response.status()).toBe(404);
});

test('an id of another organisation answers "not found" on every page', async ({ request }) => {
  const api = { 'DD-API-KEY': other.api_key, 'DD-APPLICATION-KEY': other.app_key };
  expect((await request.put(`/api/v2/actions/app_key_registrations/${other.app_key_id}`, { headers: api })).status()).toBe(201);
  const made = await request.post('/api/v2/actions/connections', {
    headers: { ...api, 'Content-Type': 'application/json' },
    data: { data: { type: 'action_connection', attributes: { name: 'Their connection', integration: { type: 'OpenAI', credentials: { type: 'OpenAIAPIKey', api_token: canary('theirs') } } } } },
  });
  expect(made.status()).toBe(201);
  const id = (await made.json()).data.id;
  for (const suffix of ['', '/edit', '/delete']) {
    const response = await page.goto(`/console/connections/${id}${suffix}`);
    expect(response.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
    await expect(page.locator('body')).not.toContainText('Their connection');
  }
  await check('not-found');
  const post = await page.request.post(`/console/connections/${id}/delete`, { form: { confirm_name: 'Their connection' } });
  expect(post.status()).toBe(400); // no anti-forgery token: refused before anything else
});

test('the audit trail filters by action and shows console changes', async () => {
  await page.goto('/console/audit');
  await check('audit');
  await page.getByLabel('Action').selectOption('connection.delete');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('#audit-count')).toHaveText('1 event');
  await expect(page.getByRole('cell', { name: 'console' })).toBeVisible();
  await page.getByLabel('Action').selectOption('connection.create');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('#audit-count')).toHaveText('25 events');
  await page.getByLabel('Action').selectOption('authentication.failure');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('#audit-count')).toHaveText('1 event');
});

/** The bootstrap keys as API headers, for what the suite sets up through the API itself. */
const apiHeaders = () => ({ 'DD-API-KEY': apiKey, 'DD-APPLICATION-KEY': appKey, 'Content-Type': 'application/json' });

test('a connection whose restriction policy hides it from the signed-in user is neither listed nor found', async ({ request }) => {
  await page.goto('/console/connections');
  const before = (await page.locator('#count').textContent()).trim();
  const made = await request.post('/api/v2/actions/connections', {
    headers: apiHeaders(),
    data: { data: { type: 'action_connection', attributes: { name: 'Hidden by policy', integration: { type: 'OpenAI', credentials: { type: 'OpenAIAPIKey', api_token: canary('hidden') } } } } },
  });
  expect(made.status()).toBe(201);
  const id = (await made.json()).data.id;
  const roles = await request.get('/api/v2/roles', { headers: apiHeaders() });
  expect(roles.status()).toBe(200);
  const standard = (await roles.json()).data.find((r) => r.attributes.name === 'Datadog Standard Role').id;
  const policy = await request.post(`/api/v2/restriction_policy/connection:${id}?allow_self_lockout=true`, {
    headers: apiHeaders(),
    data: { data: { id: `connection:${id}`, type: 'restriction_policy', attributes: { bindings: [{ relation: 'editor', principals: [`role:${standard}`] }] } } },
  });
  expect(policy.status()).toBe(200);

  await page.goto('/console/connections');
  await expect(page.locator('#count')).toHaveText(before);
  await page.getByLabel('Name contains').fill('Hidden by policy');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('#count')).toContainText(/^\s*0 of \d+ connections match/);
  for (const suffix of ['', '/edit', '/delete']) {
    const response = await page.goto(`/console/connections/${id}${suffix}`);
    expect(response.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  }
});

/** Fails unless every network interface is loopback: the Test panel makes the server send a request. */
function ensureLoopbackOnly() {
  const outside = Object.entries(os.networkInterfaces())
    .filter(([, addresses]) => addresses.some((a) => !a.internal))
    .map(([name]) => name);
  expect(outside, 'interfaces other than loopback (run the suite in a network namespace: unshare -n)').toEqual([]);
}

test('the Test panel sends a request through the connection and shows the answer as text, never the secret', async ({ request }) => {
  ensureLoopbackOnly();
  // A fake upstream of our own on loopback that records what it receives and answers with markup.
  const received = [];
  const upstream = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(418, { 'Content-Type': 'text/html', 'X-Upstream': '<b>teapot</b>' });
      res.end(`<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2"> saw ${req.headers.authorization}`);
    });
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  try {
    const token = canary('test-token');
    const made = await request.post('/api/v2/actions/connections', {
      headers: apiHeaders(),
      data: { data: { type: 'action_connection', attributes: { name: 'Loopback upstream', integration: { type: 'HTTP', base_url: `http://127.0.0.1:${upstream.address().port}/api`, credentials: {
        type: 'HTTPTokenAuth', tokens: [{ name: 'token1', type: 'SECRET', value: token }], headers: [{ name: 'Authorization', value: 'Bearer {{ token1 }}' }],
      } } } } },
    });
    expect(made.status()).toBe(201);
    const id = (await made.json()).data.id;

    await page.goto(`/console/connections/${id}`);
    await expect(page.getByRole('heading', { name: 'Test', exact: true })).toBeVisible();
    await page.getByLabel('Method').selectOption('POST');
    await page.getByLabel('Path or URL').fill('/things?a=1');
    await page.getByText('Headers and body (optional)').click();
    await page.getByLabel('Headers', { exact: true }).fill('X-Caller: yes');
    await page.getByLabel('Body content type').fill('application/json');
    await page.getByLabel('Body', { exact: true }).fill('{"c":1}');
    await page.getByRole('button', { name: 'Send request' }).click();

    await expect(page.locator('#test-status')).toHaveText('418');
    await expect(page.locator('#test-body')).toContainText('<script>window.pwned = 1</script>');
    await expect(page.getByRole('cell', { name: '<b>teapot</b>' })).toBeVisible();
    await expect(page.locator('#test-body')).not.toContainText(token);
    expect(await page.locator('#test-result script, #test-result img, #test-result b').count()).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/api/things?a=1', body: '{"c":1}' });
    expect(received[0].headers.authorization).toBe(`Bearer ${token}`);
    expect(received[0].headers['x-caller']).toBe('yes');
    await expect(page.getByRole('cell', { name: 'connection.http_request' })).toBeVisible();
    await check('connection-test');

    // A header the server owns is refused by the extension's reader, at its field; nothing is sent.
    await page.getByLabel('Headers', { exact: true }).fill('Host: elsewhere.test');
    await page.getByRole('button', { name: 'Send request' }).click();
    await expect(page.getByLabel('Headers', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#test-headers-error')).toContainText('set by the server');
    expect(received).toHaveLength(1);
  } finally {
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('looks right on a phone (390×844): sign-in, list, detail, form', async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  await small.goto('/console/sign-in');
  await check('sign-in', small);
  await signIn(small);
  await expect(small.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  await check('connections', small);
  await small.goto(created.AWSAssumeRole);
  await check('connection-aws', small);
  await small.goto(`${created.HTTPTokenAuth}/edit`);
  await check('edit-http', small);
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await phone.close();
});

test('unregistering the session key stops connection pages at once; signing out ends the session', async () => {
  await page.goto('/console/app-key-registrations');
  const row = page.getByRole('row').filter({ hasText: '(this session)' });
  await row.getByRole('button', { name: /^Unregister/ }).click();
  await expect(page.getByRole('status')).toContainText('Unregistered');
  await page.goto('/console/connections');
  await expect(page.getByRole('alert')).toContainText('registered application key');
  await page.goto('/console/app-key-registrations');
  await page.getByRole('row').filter({ hasText: '(this session)' }).getByRole('button', { name: /^Register/ }).click();
  await expect(page.getByRole('status')).toContainText('Registered');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status')).toContainText('signed out');
  expect((await context.cookies()).find((c) => c.name === 'ac_console_session')).toBeUndefined();
  await page.goto('/console/connections');
  expect(new URL(page.url()).pathname).toBe('/console/sign-in');
});

test('no secret and neither key in any page, the DOM, cookies, storage or the server log', async () => {
  expect(canaries.length).toBeGreaterThan(25);
  const forbidden = [apiKey, appKey, other.api_key, other.app_key, ...canaries];
  for (const { name, html } of seen) {
    for (const value of forbidden) {
      expect(html.includes(value), `${value} in the page ${name}`).toBe(false);
    }
  }
  await signIn(page);
  const dom = await page.evaluate(() => document.documentElement.outerHTML + JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
  const cookies = JSON.stringify(await context.cookies());
  const log = fs.readFileSync(serverLog, 'utf8');
  expect(log.length).toBeGreaterThan(1000);
  for (const value of forbidden) {
    expect(dom.includes(value), `${value} in the DOM or storage`).toBe(false);
    expect(cookies.includes(value), `${value} in a cookie`).toBe(false);
    expect(log.includes(value), `${value} in the server log`).toBe(false);
  }
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});
