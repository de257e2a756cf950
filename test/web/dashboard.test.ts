// The web dashboard end to end: static serving by the server, then Debian's Chromium (driven by
// playwright-core, never a downloaded browser) signing in with a user key and reading the
// colony's processes, a process's output and logs, and a workflow graph.
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../web/build.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let t: TestServer;
let cast: Cast;
let browser: Browser;
const ids: Record<string, string> = {};

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET/HEAD with the path sent verbatim (fetch would normalise `..` away). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function spec(funcname: string, executortype = cast.executor.type) {
  return { funcname, args: [funcname], maxexectime: -1, conditions: { colonyname: cast.colonyName, executortype } };
}

/** Submits a process, lets the executor take it, and leaves it for `finish` to close. */
async function runProcess(funcname: string, finish: (processid: string) => Promise<void>): Promise<string> {
  const submitted = await t.call('submitfuncspecmsg', { spec: spec(funcname) }, cast.user);
  const assigned = await t.call('assignprocessmsg', { colonyname: cast.colonyName, timeout: 1, availablecpu: '', availablemem: '' }, cast.executor);
  expect(assigned.processid).toBe(submitted.processid);
  await finish(submitted.processid);
  return submitted.processid;
}

async function seed(): Promise<void> {
  ids.successful = await runProcess('make-output', async (processid) => {
    await t.call('addlogmsg', { processid, message: 'log line from the executor' }, cast.executor);
    await t.call('closesuccessfulmsg', { processid, out: ['hello-output-42'] }, cast.executor);
  });
  ids.failed = await runProcess('will-fail', async (processid) => {
    await t.call('closefailedmsg', { processid, errors: ['it broke'] }, cast.executor);
  });
  ids.waiting = (await t.call('submitfuncspecmsg', { spec: spec('still-waiting') }, cast.user)).processid;
  const graph = await t.call(
    'submitworkflowspecmsg',
    {
      spec: {
        colonyname: cast.colonyName,
        functionspecs: [
          { nodename: 'first', ...spec('first', 'other-type') },
          { nodename: 'second', ...spec('second', 'other-type'), conditions: { colonyname: cast.colonyName, executortype: 'other-type', dependencies: ['first'] } },
        ],
      },
    },
    cast.user,
  );
  ids.graph = graph.processgraphid;
  const workflowspec = JSON.stringify({ colonyname: cast.colonyName, functionspecs: [{ nodename: 'n', ...spec('n', 'other-type') }] });
  await t.call('addcronmsg', { cron: { colonyname: cast.colonyName, name: 'nightly-cron', cronexpression: '0 0 3 * * *', interval: -1, workflowspec } }, cast.user);
  await t.call('addgeneratormsg', { generator: { colonyname: cast.colonyName, name: 'batch-generator', trigger: 10, timeout: 60, workflowspec } }, cast.user);
}

async function openPage(): Promise<{ page: Page; bodies: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const bodies: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => bodies.push(`${r.url()} ${r.postData() ?? ''}`));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(t.url);
  return { page, bodies, errors };
}

async function signIn(page: Page, colony: string, key: string): Promise<void> {
  await page.getByLabel('Colony').fill(colony);
  await page.getByLabel('Private key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  await buildWeb();
  t = await startTestServer();
  cast = await setupColony(t, 'webdev');
  await seed();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('static serving', () => {
  it('serves the page, the bundle and the stylesheet with their content types', async () => {
    const index = await raw('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body.toString()).toContain('<script type="module" src="/web/app.js">');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');

    const app = await raw('/web/app.js');
    expect(app.status).toBe(200);
    expect(app.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(app.body.length).toBeGreaterThan(1000);
    const css = await raw('/web/style.css?v=1');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await raw('/web/')).body.equals(index.body)).toBe(true);
  });

  it('answers HEAD without a body, gzips when asked and revalidates with the ETag', async () => {
    const head = await raw('/web/app.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const plain = await raw('/web/app.js');
    expect(Number(head.headers['content-length'])).toBe(plain.body.length);

    const zipped = await raw('/web/app.js', { 'Accept-Encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);

    const again = await raw('/web/app.js', { 'If-None-Match': String(plain.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('404s unknown files, other directories and traversal attempts', async () => {
    for (const path of [
      '/web/nope.js',
      '/web/index.ts',
      '/web/src/main.ts',
      '/web/../package.json',
      '/web/../../package.json',
      '/web/%2e%2e/%2e%2e/package.json',
      '/web/%2e%2e%2f%2e%2e%2fpackage.json',
      '/web/..%5c..%5cpackage.json',
      '/web/%00.js',
      '/web/%E0%A4%A.js',
      '/web/.hidden.js',
      '/web//app.js',
    ]) {
      const r = await raw(path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString(), path).not.toContain('colonies-ts');
    }
    // Paths outside / and /web/ are not the dashboard's; the API still answers as before.
    expect((await raw('/package.json')).status).toBe(404);
    expect((await raw('/health')).status).toBe(200);
  });
});

describe('in the browser', () => {
  it('refuses a malformed key and a key that is not a member, storing nothing', async () => {
    const { page, errors } = await openPage();
    await expect(page.locator('#server-info').textContent()).resolves.toBeTypeOf('string');
    await signIn(page, cast.colonyName, 'not-a-key');
    await page.getByRole('alert').filter({ hasText: '64 hexadecimal characters' }).waitFor();

    await signIn(page, cast.colonyName, newKey().prv);
    const refused = page.getByRole('alert').filter({ hasText: /^Access denied, not a member of Colony/ });
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toContain(cast.colonyName);
    await expect(refused.textContent()).resolves.toContain('(status 403)');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Views' }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists processes by state and shows a process with its output, logs and errors', async () => {
    const { page, bodies, errors } = await openPage();
    await page.locator('#server-info').filter({ hasText: 'Server' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    await signIn(page, cast.colonyName, cast.user.prv);

    // Overview: the colony's counters; the sign-in form is gone.
    await page.getByRole('heading', { name: `Colony ${cast.colonyName}` }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    const processesRow = page.getByRole('row', { name: /^Processes/ });
    expect((await processesRow.locator('td').allTextContents()).slice(1, 5)).toEqual(['3', '0', '1', '1']);

    await page.getByRole('link', { name: 'Waiting', exact: true }).click();
    await page.getByRole('row', { name: /still-waiting/ }).getByText('waiting', { exact: true }).waitFor();
    expect(await page.getByRole('row', { name: /make-output/ }).count()).toBe(0);

    await page.getByRole('link', { name: 'Failed', exact: true }).click();
    await page.getByRole('row', { name: /will-fail/ }).getByText('failed', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Successful', exact: true }).click();
    const row = page.getByRole('row', { name: /make-output/ });
    await row.getByText('successful', { exact: true }).waitFor();
    await row.getByRole('link').click();

    await page.getByRole('heading', { name: /^Process/ }).waitFor();
    expect(page.url()).toContain(`#/process/${ids.successful}`);
    const output = page.locator('section', { has: page.getByRole('heading', { name: 'Output', exact: true }) });
    await expect(output.textContent()).resolves.toContain('hello-output-42');
    await page.getByRole('row', { name: /log line from the executor/ }).waitFor();

    await page.goto(`${t.url}/#/process/${ids.failed}`);
    const errs = page.locator('section', { has: page.getByRole('heading', { name: 'Errors', exact: true }) });
    await errs.getByText('it broke').waitFor();

    // The key only ever signs: it is in this tab's session storage, never in a request.
    expect(bodies.length).toBeGreaterThan(5);
    expect(bodies.filter((b) => b.includes(cast.user.prv))).toEqual([]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('colonies-dashboard'))).toContain(cast.user.prv);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('polls: a newly submitted process appears without a reload; signing out forgets the key', async () => {
    const { page, errors } = await openPage();
    await signIn(page, cast.colonyName, cast.user.prv);
    await page.getByRole('link', { name: 'Waiting', exact: true }).click();
    await page.getByRole('row', { name: /still-waiting/ }).waitFor();
    await t.call('submitfuncspecmsg', { spec: spec('arrived-later') }, cast.user);
    await page.getByRole('row', { name: /arrived-later/ }).waitFor({ timeout: 15_000 });
    // A reload keeps the session (same tab), and the page.
    await page.reload();
    await page.getByRole('row', { name: /arrived-later/ }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists executors, crons and generators', async () => {
    const { page, errors } = await openPage();
    await signIn(page, cast.colonyName, cast.user.prv);
    const nav = page.getByRole('navigation', { name: 'Views' });
    await nav.getByRole('link', { name: 'Executors' }).click();
    await page.getByRole('row', { name: new RegExp(`${cast.executor.name} ${cast.executor.type} approved`) }).waitFor();
    await nav.getByRole('link', { name: 'Crons' }).click();
    await page.getByRole('row', { name: /nightly-cron 0 0 3 \* \* \*/ }).waitFor();
    await nav.getByRole('link', { name: 'Generators' }).click();
    await page.getByRole('row', { name: /batch-generator 10 60/ }).waitFor();
    expect(await nav.getByRole('link', { name: 'Generators' }).getAttribute('aria-current')).toBe('page');

    // A page that cannot load shows the server's error instead of the previous page.
    await page.goto(`${t.url}/#/process/${'f'.repeat(64)}`);
    await page.getByRole('alert').waitFor();
    expect(await page.locator('#view').textContent()).toBe('');
    await page.goto(`${t.url}/#/no-such-page`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws a workflow as a graph of its processes', async () => {
    const { page, errors } = await openPage();
    await signIn(page, cast.colonyName, cast.user.prv);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('navigation', { name: 'Workflow state' }).getByRole('link', { name: 'waiting' }).click();
    await page.getByRole('row', { name: /waiting/ }).getByRole('link').first().click();

    const graph = page.getByRole('group', { name: 'workflow graph' });
    await graph.waitFor();
    await graph.getByRole('link', { name: 'first: waiting' }).waitFor();
    await graph.getByRole('link', { name: 'second: waiting' }).waitFor();
    expect(await graph.locator('line').count()).toBe(1);
    expect(page.url()).toContain(`#/workflow/${ids.graph}`);

    await graph.getByRole('link', { name: 'second: waiting' }).click();
    await page.getByRole('heading', { name: /^Process/ }).waitFor();
    await expect(page.locator('dl').textContent()).resolves.toContain('second');
    expect(errors).toEqual([]);
    await page.close();
  });
});
