// Browser tests against the real `pmo` binary and a seeded database (scripts/test-web.sh starts
// both). Each test gets a fresh browser context; any console error or uncaught page error that
// the test did not expect fails it. Screenshots of the main pages go to test-results/.
//
//   PMO_BASE_URL=http://127.0.0.1:4000 node e2e/run.mjs [name filter]
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { launchBrowser } from './browser.mjs';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const BASE = process.env.PMO_BASE_URL ?? 'http://127.0.0.1:4000';
const EMAIL = process.env.PMO_E2E_EMAIL ?? 'james.miller@huronhome.ca';
const PASSWORD = process.env.PMO_E2E_PASSWORD ?? 'password123';
const TENANT = process.env.PMO_E2E_TENANT ?? 'demo';
const OUT = process.env.PMO_E2E_OUT ?? 'test-results';
const SHOTS = join(OUT, 'screenshots');
const filter = process.argv[2] ?? '';
const DESKTOP = { width: 1366, height: 768 };

mkdirSync(SHOTS, { recursive: true });
for (const name of readdirSync(OUT)) if (name.startsWith('failed-')) rmSync(join(OUT, name));

// ---------------------------------------------------------------- helpers

class Failure extends Error {}

function check(condition, message) {
  if (!condition) throw new Failure(message);
}

function equal(actual, expected, message) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Failure(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Waits until `probe` returns a truthy value (polling), or fails with `message`. */
async function eventually(probe, message, timeout = 8000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Failure(`${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

/** Waits until the page's address matches `pattern` (client-side navigations included); fails
 * naming the address the page stayed at. */
function reachUrl(page, pattern, timeout = 10000) {
  return eventually(
    () => {
      if (!pattern.test(page.url())) throw new Error(`still at ${page.url()}`);
      return true;
    },
    `never reached ${pattern}`,
    timeout,
  );
}

/** A signed-in API client in Node, for the "someone else" side of a test. It signs in again
 * when its access token expires (scripts/test-web.sh runs the server with short tokens). */
async function apiSession() {
  const login = async () => {
    const response = await fetch(`${BASE}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD, tenant: TENANT }),
    });
    check(response.ok, `API sign-in answered ${response.status}`);
    return response.json();
  };
  let session = await login();
  const call = async (method, path, body, again = true) => {
    const res = await fetch(`${BASE}${path}`, {
      method,
      headers: { Authorization: `Bearer ${session.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401 && again) {
      session = await login();
      return call(method, path, body, false);
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    expiresIn: session.expires_in,
    get: (path) => call('GET', path),
    patch: (path, body) => call('PATCH', path, body),
    post: (path, body) => call('POST', path, body),
    delete: (path) => call('DELETE', path),
  };
}

async function signIn(page, next = '/project') {
  await page.goto(`${BASE}${next}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole('textbox', { name: 'E-mail' }).fill(EMAIL);
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

async function shot(page, name) {
  await page.waitForTimeout(250); // let transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Names in the first column of the records table, in order. */
async function tableNames(page) {
  // The first column, or the one after the bulk-select checkboxes.
  return page.locator('table tbody tr :is(td:first-child, td.pmo-select-cell + td) a').allTextContents();
}

async function waitForRows(page) {
  await page.locator('table tbody tr :is(td:first-child, td.pmo-select-cell + td) a').first().waitFor();
  await eventually(async () => (await page.locator('table[aria-busy="true"]').count()) === 0, 'the table stays busy');
}

/** Drags with the mouse the way a person does: press, nudge past the activation distance, move. */
async function drag(page, source, target) {
  await source.scrollIntoViewIfNeeded();
  const from = await source.boundingBox();
  const to = await target.boundingBox();
  check(from && to, 'drag source or target is not visible');
  const x = from.x + from.width / 2;
  const y = from.y + from.height - 12;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 12, y + 12, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 20 });
  await page.waitForTimeout(150);
  await page.mouse.up();
}

function column(page, name) {
  return page.locator('section.pmo-kanban-column').filter({ has: page.getByText(name, { exact: true }) });
}

/** Runs axe-core on the page; fails on serious or critical violations (WCAG 2 A/AA rules). */
async function checkAccessibility(page, label) {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  check(violations.length === 0, `${label}: accessibility violations:\n${violations.join('\n')}`);
}

async function signInAs(page, email, next = '/project') {
  await page.goto(`${BASE}${next}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** A second signed-in person in the same test: their own context, their console watched too. */
async function secondPerson(context, problems, allow = []) {
  const other = await context.browser().newContext({ viewport: DESKTOP });
  other.setDefaultTimeout(10_000);
  const page = await other.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && !allow.some((re) => re.test(message.text()))) problems.push(`second person console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`second person page error: ${error.message}`));
  return { page, close: () => other.close() };
}

/** Drags a sortable row by its handle onto another row (dnd-kit: press, pass 5 px, move, drop). */
async function dragRow(page, handle, target) {
  const from = await handle.boundingBox();
  const to = await target.boundingBox();
  check(from && to, 'drag handle or target row is not visible');
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y + 8, { steps: 3 });
  await page.mouse.move(x, to.y + to.height / 2, { steps: 15 });
  await page.waitForTimeout(150);
  await page.mouse.up();
}

/** Names in the datalabel manager's table, in display order. */
async function labelNames(page) {
  return page.getByTestId('label-name').allTextContents();
}

async function activeOrder(api, datalabel) {
  return (await api.get(`/api/v1/setting/${datalabel}`)).body.data.sort((a, b) => a.sort_order - b.sort_order).map((v) => v.name);
}

/** Chooses files through the page's own file dialog (the button opens it), as a person would. */
async function chooseFiles(page, button, files) {
  const chooser = page.waitForEvent('filechooser');
  await button.click();
  await (await chooser).setFiles(files);
}

/** Records every value the named progress bars take (aria-valuenow), in order. */
async function watchProgress(page) {
  await page.evaluate(() => {
    window.pmoProgress = [];
    new MutationObserver((changes) => {
      for (const change of changes) {
        const el = change.target;
        if (el instanceof Element && el.getAttribute('role') === 'progressbar') {
          window.pmoProgress.push([el.getAttribute('aria-label'), Number(el.getAttribute('aria-valuenow'))]);
        }
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
  return async (label) => (await page.evaluate(() => window.pmoProgress)).filter(([l]) => l === label).map(([, v]) => v);
}

/** Clicks a Download button: the bytes the browser saved, and the bytes a fetch of the presigned
 * link answers from the page itself. */
async function download(page, button) {
  const link = page.waitForResponse((r) => /\/api\/v1\/artifact\/[^/]+\/download$/.test(new URL(r.url()).pathname));
  const saved = page.waitForEvent('download');
  await button.click();
  const answer = await (await link).json();
  const file = await saved;
  const savedBytes = readFileSync(await file.path());
  // The page hashes what it fetched (127.0.0.1 is a secure context, so crypto.subtle is there).
  const fetched = await page.evaluate(async (url) => {
    const response = await fetch(url);
    const bytes = await response.arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return { status: response.status, size: bytes.byteLength, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  }, answer.url);
  equal(fetched.status, 200, 'presigned download status');
  return { name: file.suggestedFilename(), saved: savedBytes, fetched };
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The download equals `bytes`: the file the browser saved and the page's own fetch of the link. */
function sameBytes(got, bytes, label) {
  check(got.saved.equals(bytes), `${label}: saved ${got.saved.length} bytes, not the ${bytes.length} uploaded`);
  equal([got.fetched.size, got.fetched.sha256], [bytes.length, sha256(bytes)], `${label}: fetched bytes`);
}

/** Fails unless nothing on the page is wider than the viewport and each control lies inside it. */
async function fitsScreen(page, label, controls = []) {
  const width = page.viewportSize().width;
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  check(scrollWidth <= width, `${label}: the page is ${scrollWidth}px wide on a ${width}px screen`);
  for (const control of controls) {
    const box = await control.boundingBox();
    check(box, `${label}: a control is not visible`);
    check(box.x >= 0 && box.x + box.width <= width, `${label}: a control lies off-screen (${Math.round(box.x)}–${Math.round(box.x + box.width)}px)`);
  }
}

// Data that later tests build on (the task created under a project).
const shared = { projectName: '', projectId: '', taskName: '', taskId: '' };

// ---------------------------------------------------------------- tests

const tests = [
  {
    name: 'signed-out visitors go to sign-in, see why a sign-in failed, and come back after it',
    // The refused sign-in is logged by the browser as a failed request.
    allow: [/status of 401/],
    async run({ page }) {
      await page.goto(`${BASE}/task?view=board`);
      await page.waitForURL(/\/sign-in\?next=%2Ftask%3Fview%3Dboard/);
      equal(await page.getByRole('textbox', { name: 'Workspace' }).inputValue(), 'demo', 'default workspace');
      await shot(page, '01-sign-in');
      await page.getByRole('textbox', { name: 'E-mail' }).fill(EMAIL);
      await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not right for this workspace' }).waitFor();
      await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/task\?view=board$/);
      await page.getByRole('region', { name: /Tasks by/ }).waitFor();
    },
  },
  {
    name: 'sign in with the keyboard only; focus is visible',
    async run({ page }) {
      await page.goto(`${BASE}/sign-in`);
      // The e-mail field takes the focus once the app has started.
      await eventually(() => page.evaluate(() => document.activeElement?.getAttribute('type') === 'email'), 'e-mail field not focused');
      await page.keyboard.type(EMAIL);
      await page.keyboard.press('Tab');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      check(outline !== 'none', `focused input shows no outline (${outline})`);
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/project$/);
      // The sidebar is reachable from the keyboard too.
      const link = page.getByRole('link', { name: 'Tasks' });
      await link.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/task$/);
    },
  },
  {
    name: 'projects: sidebar groups, sort by a header, search',
    async run({ page, api }) {
      await signIn(page);
      await waitForRows(page);
      const nav = page.getByRole('navigation', { name: 'Record types' });
      for (const group of ['Organisation', 'Work', 'People', 'Operations', 'Content']) {
        await nav.getByText(group, { exact: true }).waitFor();
      }
      const all = await api.get('/api/v1/project?limit=200&total=true');
      equal(await page.locator('table tbody tr').count(), Math.min(20, all.body.total), 'rows on the first page');
      await shot(page, '02-projects');

      await page.getByRole('button', { name: 'Sort by Name' }).click();
      await eventually(async () => (await page.locator('th[aria-sort="ascending"]').textContent())?.includes('Name'), 'Name is not the ascending sort');
      const asc = (await api.get('/api/v1/project?limit=200&sort=name&order=asc')).body.data.map((p) => p.name);
      await eventually(async () => JSON.stringify(await tableNames(page)) === JSON.stringify(asc.slice(0, 20)), 'rows not in ascending name order');
      await page.getByRole('button', { name: 'Sort by Name' }).click();
      await eventually(async () => (await page.locator('th[aria-sort="descending"]').count()) === 1, 'no descending sort');
      const desc = [...asc].reverse();
      await eventually(async () => JSON.stringify(await tableNames(page)) === JSON.stringify(desc.slice(0, 20)), 'rows not in descending name order');
      check(page.url().includes('sort=name&order=desc'), 'the sort is not kept in the URL');

      await page.getByRole('searchbox', { name: 'Search' }).fill('solar');
      const found = (await api.get('/api/v1/project?limit=200&q=solar')).body.data.map((p) => p.name);
      check(found.length > 0 && found.length < asc.length, 'the seed should have some solar projects');
      await eventually(async () => {
        const names = await tableNames(page);
        return names.length === found.length && names.every((n) => found.includes(n));
      }, 'search results differ from the API');
      shared.projectName = found[0];
    },
  },
  {
    name: 'employees: page forward and back (keyset cursors)',
    async run({ page }) {
      await signIn(page, '/employee');
      await waitForRows(page);
      const first = await tableNames(page);
      equal(first.length, 20, 'page size');
      await page.getByText(/^1–20 of \d+ employees$/).waitFor();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(/^21–40 of \d+ employees$/).waitFor();
      await waitForRows(page);
      const second = await tableNames(page);
      check(second.every((n) => !first.includes(n)), 'page 2 repeats rows of page 1');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(/^41–60 of/).waitFor();
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.getByText(/^21–40 of/).waitFor();
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.getByText(/^1–20 of/).waitFor();
      await waitForRows(page);
      equal(await tableNames(page), first, 'back on page 1');
      check(await page.getByRole('button', { name: 'Previous' }).isDisabled(), 'Previous is enabled on page 1');
    },
  },
  {
    name: 'project detail: child tabs with counts, create a task under the project',
    async run({ page, api }) {
      await signIn(page);
      await waitForRows(page);
      const name = shared.projectName || (await tableNames(page))[0];
      await page.getByRole('link', { name, exact: true }).first().click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      shared.projectName = name;
      shared.projectId = page.url().split('/').pop();
      await page.getByRole('navigation', { name: 'Stage' }).waitFor();
      await shot(page, '03-project-detail');

      const tab = page.getByRole('tab', { name: /^Tasks/ });
      const countBefore = Number((await tab.textContent()).replace(/\D/g, ''));
      await tab.click();
      await page.waitForURL(/\/task$/);
      shared.taskName = `E2E task ${Date.now()}`;
      await page.getByRole('button', { name: 'New task' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name' }).fill(shared.taskName);
      await dialog.getByRole('combobox', { name: 'Stage' }).click();
      await page.getByRole('option', { name: 'Backlog' }).click();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('link', { name: shared.taskName }).waitFor();
      await eventually(async () => Number((await tab.textContent()).replace(/\D/g, '')) === countBefore + 1, 'the tab count did not grow');
      await shot(page, '04-project-tasks-tab');

      const children = await api.get(`/api/v1/project/${shared.projectId}/task?limit=200`);
      const created = children.body.data.find((t) => t.name === shared.taskName);
      check(created, 'the API does not list the new task under the project');
      shared.taskId = created.id;
      equal(created.task_stage_name, 'Backlog', 'stage of the new task');
    },
  },
  {
    name: 'kanban: drag a card to another stage; a refused move is rolled back',
    allow: [/status of 409/],
    async run({ page, api }) {
      check(shared.taskId, 'needs the task created by the previous test');
      await signIn(page, `/task?view=board&q=${encodeURIComponent(shared.taskName)}`);
      const card = page.locator('.pmo-kanban-card').filter({ hasText: shared.taskName });
      await card.waitFor();
      await column(page, 'Backlog').locator('.pmo-kanban-card').filter({ hasText: shared.taskName }).waitFor();

      await drag(page, card, column(page, 'In Progress'));
      await column(page, 'In Progress').locator('.pmo-kanban-card').filter({ hasText: shared.taskName }).waitFor();
      await eventually(async () => (await api.get(`/api/v1/task/${shared.taskId}`)).body.task_stage_name === 'In Progress', 'the API still has the old stage');
      await page.goto(`${BASE}/task?view=board`);
      await page.locator('.pmo-kanban-card').first().waitFor();
      await shot(page, '05-task-board');

      // Someone else moves it meanwhile; our stale drag is refused and the card goes back.
      await page.goto(`${BASE}/task?view=board&q=${encodeURIComponent(shared.taskName)}`);
      await column(page, 'In Progress').locator('.pmo-kanban-card').filter({ hasText: shared.taskName }).waitFor();
      const current = (await api.get(`/api/v1/task/${shared.taskId}`)).body;
      const elsewhere = await api.patch(`/api/v1/task/${shared.taskId}`, { version: current.version, descr: 'changed by someone else' });
      equal(elsewhere.status, 200, 'the other edit');
      await drag(page, card, column(page, 'To Do'));
      await page.getByText('was not moved').waitFor();
      await eventually(
        async () => (await column(page, 'In Progress').locator('.pmo-kanban-card').filter({ hasText: shared.taskName }).count()) === 1,
        'the refused card did not return to its column',
      );
      equal((await api.get(`/api/v1/task/${shared.taskId}`)).body.task_stage_name, 'In Progress', 'stage after the refused move');
    },
  },
  {
    name: 'detail: edit fields and save with the version',
    async run({ page, api }) {
      check(shared.taskId, 'needs the task created earlier');
      await signIn(page, `/task/${shared.taskId}`);
      await page.getByRole('heading', { level: 1, name: shared.taskName }).waitFor();
      const before = (await api.get(`/api/v1/task/${shared.taskId}`)).body;
      await page.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('form', { name: 'Edit task' });
      shared.taskName = `${shared.taskName} (edited)`;
      await form.getByRole('textbox', { name: 'Name' }).fill(shared.taskName);
      await form.getByRole('combobox', { name: 'Priority' }).click();
      await page.getByRole('option', { name: 'high' }).click();
      await shot(page, '06-task-edit');
      await form.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { level: 1, name: shared.taskName }).waitFor();
      await form.waitFor({ state: 'detached' });
      const after = (await api.get(`/api/v1/task/${shared.taskId}`)).body;
      equal(after.name, shared.taskName, 'saved name');
      equal(after.task_priority_name, 'high', 'saved priority');
      equal(after.version, before.version + 1, 'version');
    },
  },
  {
    name: 'inline edit: change a cell in the table',
    async run({ page, api }) {
      check(shared.taskId, 'needs the task created earlier');
      await signIn(page, `/task?q=${encodeURIComponent(shared.taskName)}`);
      await waitForRows(page);
      const before = (await api.get(`/api/v1/task/${shared.taskId}`)).body;
      await page.getByRole('button', { name: `Edit Priority of ${shared.taskName}` }).click();
      const editor = page.getByRole('form', { name: 'Edit Priority' });
      await editor.getByRole('combobox', { name: 'Priority' }).click();
      await editor.getByRole('option', { name: 'low' }).click();
      await shot(page, '13-inline-edit');
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor.waitFor({ state: 'detached' });
      await eventually(async () => (await api.get(`/api/v1/task/${shared.taskId}`)).body.task_priority_name === 'low', 'priority not saved');
      const row = page.locator('tr', { hasText: shared.taskName });
      await row.getByText('low', { exact: true }).waitFor();
      equal((await api.get(`/api/v1/task/${shared.taskId}`)).body.version, before.version + 1, 'version');
    },
  },
  {
    name: 'global search: find a record from the header and open it',
    async run({ page, api }) {
      shared.projectName ||= (await api.get('/api/v1/project?limit=1&sort=name')).body.data[0].name;
      await signIn(page, '/employee');
      const box = page.getByRole('textbox', { name: 'Search everything' });
      await waitForRows(page);
      await page.keyboard.press('/');
      await eventually(() => box.evaluate((el) => el === document.activeElement), '"/" does not focus the search');
      const words = shared.projectName.split(' ').slice(0, 2).join(' ');
      await page.keyboard.type(words);
      const option = page.getByRole('option', { name: new RegExp(shared.projectName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
      await option.first().waitFor();
      await shot(page, '14-global-search');
      await option.first().click();
      await page.getByRole('heading', { level: 1, name: shared.projectName }).waitFor();
      check(/\/project\/[0-9a-f-]{36}$/.test(page.url()), `unexpected page ${page.url()}`);
    },
  },
  {
    name: 'conflict: another edit lands first; their values are shown and mine re-applied',
    allow: [/status of 409/],
    async run({ page, api }) {
      check(shared.taskId, 'needs the task created earlier');
      await signIn(page, `/task/${shared.taskId}`);
      await page.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('form', { name: 'Edit task' });
      await form.getByRole('textbox', { name: 'Description' }).fill('My careful description');

      const current = (await api.get(`/api/v1/task/${shared.taskId}`)).body;
      const theirs = await api.patch(`/api/v1/task/${shared.taskId}`, { version: current.version, name: `${shared.taskName} [theirs]` });
      equal(theirs.status, 200, 'the other edit');

      await form.getByRole('button', { name: 'Save' }).click();
      const conflict = page.getByTestId('conflict');
      await conflict.waitFor();
      await conflict.getByText(`${shared.taskName} [theirs]`).waitFor();
      await conflict.getByText('My careful description').waitFor();
      await shot(page, '07-version-conflict');
      await conflict.getByRole('button', { name: 'Re-apply my changes' }).click();
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      const final = (await api.get(`/api/v1/task/${shared.taskId}`)).body;
      equal(final.descr, 'My careful description', 'my change');
      equal(final.name, `${shared.taskName} [theirs]`, 'their change');
      equal(final.version, current.version + 2, 'version');
      shared.taskName = final.name;
      await page.getByRole('heading', { level: 1, name: final.name }).waitFor();
    },
  },
  {
    name: 'validation errors from the API appear under their field',
    allow: [/status of 422/],
    async run({ page }) {
      await signIn(page, '/project');
      await page.getByRole('button', { name: 'New project' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name' }).fill(`E2E project ${Date.now()}`);
      await dialog.getByRole('textbox', { name: 'Planned start' }).fill('2027-05-01');
      await dialog.getByRole('textbox', { name: 'Planned end' }).fill('2027-04-01');
      await dialog.getByRole('textbox', { name: 'Budget' }).fill('-5');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.getByRole('alert').waitFor();
      const budget = dialog.getByRole('textbox', { name: 'Budget' });
      await eventually(async () => (await budget.getAttribute('aria-invalid')) === 'true', 'Budget is not marked invalid');
      // A local check, before any request: too many decimals.
      await budget.fill('1.234');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.getByText('Use at most 2 digits after the point.').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    },
  },
  {
    name: 'column chooser: the choice is remembered after a reload',
    async run({ page }) {
      await signIn(page);
      await waitForRows(page);
      await page.getByRole('columnheader', { name: /Budget/ }).waitFor();
      await page.getByRole('button', { name: 'Columns' }).click();
      await page.getByRole('checkbox', { name: 'Budget', exact: true }).uncheck();
      await page.getByRole('checkbox', { name: 'Code', exact: true }).check();
      await page.keyboard.press('Escape');
      await eventually(async () => (await page.getByRole('columnheader', { name: /Budget/ }).count()) === 0, 'Budget column still shown');
      await page.reload();
      await waitForRows(page);
      equal(await page.getByRole('columnheader', { name: /Budget/ }).count(), 0, 'Budget column after reload');
      await page.getByRole('columnheader', { name: /Code/ }).waitFor();
      await page.getByRole('button', { name: 'Columns' }).click();
      await page.getByRole('button', { name: 'Reset to default' }).click();
      await page.keyboard.press('Escape');
      await page.getByRole('columnheader', { name: /Budget/ }).waitFor();
    },
  },
  {
    name: 'dark mode: the toggle switches and survives a reload',
    async run({ page }) {
      await signIn(page);
      await waitForRows(page);
      const scheme = () => page.evaluate(() => document.documentElement.dataset.mantineColorScheme);
      equal(await scheme(), 'light', 'initial scheme');
      await page.getByRole('button', { name: 'Switch to dark mode' }).click();
      await eventually(async () => (await scheme()) === 'dark', 'not dark');
      await page.reload();
      await waitForRows(page);
      equal(await scheme(), 'dark', 'scheme after reload');
      await shot(page, '08-projects-dark');
      await page.goto(`${BASE}/task?view=board`);
      await page.locator('.pmo-kanban-card').first().waitFor();
      await shot(page, '09-task-board-dark');
      await page.getByRole('button', { name: 'Switch to light mode' }).click();
      await eventually(async () => (await scheme()) === 'light', 'not light again');
    },
  },
  {
    name: 'phone width: the sidebar becomes a drawer',
    viewport: { width: 390, height: 844 },
    async run({ page }) {
      await signIn(page);
      await waitForRows(page);
      const nav = page.getByRole('navigation', { name: 'Record types' });
      check(!(await nav.isVisible()), 'the sidebar is open on a phone');
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      check(scrollWidth <= 390, `the page is wider than the phone (${scrollWidth}px)`);
      await shot(page, '10-projects-phone');
      await page.getByRole('button', { name: 'Open navigation' }).click();
      await nav.waitFor({ state: 'visible' });
      await shot(page, '11-navigation-drawer-phone');
      await nav.getByRole('link', { name: 'Tasks' }).click();
      await page.waitForURL(/\/task$/);
      await eventually(async () => !(await nav.isVisible()), 'the drawer stays open after navigating');
    },
  },
  {
    name: 'the session survives a reload; sign-out ends it',
    async run({ page }) {
      await signIn(page, '/task');
      await waitForRows(page);
      await page.reload();
      await waitForRows(page);
      check(page.url().endsWith('/task'), 'sent away from the page on reload');
      await page.getByTestId('user-menu').click();
      await page.getByText('Workspace:').waitFor();
      await shot(page, '12-user-menu');
      // Leaving the page before the logout answer would abort it (and keep the session).
      const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await reachUrl(page, /\/sign-in$/);
      await loggedOut;
      await page.goto(`${BASE}/project`);
      await reachUrl(page, /\/sign-in\?next=%2Fproject$/);
      // The refresh cookie was revoked: a refresh is refused.
      const refresh = await page.request.post(`${BASE}/api/v1/auth/refresh`);
      equal(refresh.status(), 401, 'refresh after sign-out');
    },
  },
  {
    name: 'session: a 401 is answered by one refresh and the request repeated',
    allow: [/status of 401/],
    async run({ page }) {
      await signIn(page, '/project');
      await waitForRows(page);
      let refused = 0;
      await page.route(/\/api\/v1\/project\?/, async (route) => {
        if (refused === 0) {
          refused += 1;
          await route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthenticated","message":"token expired"}}' });
        } else {
          await route.continue();
        }
      });
      const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh') && r.status() === 200);
      await page.getByRole('button', { name: 'Sort by Name' }).click();
      await refreshed;
      await eventually(async () => (await page.locator('th[aria-sort="ascending"]').count()) === 1, 'no sorted table after the refresh');
      await waitForRows(page);
      equal(refused, 1, 'refused requests');
      check(page.url().endsWith('/project?sort=name&order=asc'), `left the page: ${page.url()}`);
    },
  },
  {
    name: 'session: when it cannot be renewed, back to sign-in with the return path',
    allow: [/status of 401/],
    async run({ page, context }) {
      await signIn(page, '/task');
      await waitForRows(page);
      await context.clearCookies(); // the refresh cookie is gone (expired, revoked elsewhere)
      await page.route(/\/api\/v1\/task\?/, (route) =>
        route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthenticated","message":"token expired"}}' }),
      );
      await page.getByRole('button', { name: 'Sort by Name' }).click();
      await page.waitForURL(/\/sign-in\?next=%2Ftask%3Fsort%3Dname%26order%3Dasc$/);
      await page.unroute(/\/api\/v1\/task\?/);
      await page.getByRole('textbox', { name: 'E-mail' }).fill(EMAIL);
      await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/task\?sort=name&order=asc$/);
      await waitForRows(page);
    },
  },
  {
    name: 'session: the access token is refreshed before it expires',
    async run({ page, api }) {
      // scripts/test-web.sh runs the server with 40 s tokens; against a server with long tokens
      // this only checks that no refresh happens early.
      const short = api.expiresIn <= 120;
      const refreshes = [];
      page.on('response', (r) => {
        if (r.url().endsWith('/api/v1/auth/refresh')) refreshes.push(r.status());
      });
      await signIn(page, '/project');
      await waitForRows(page);
      if (!short) {
        await page.waitForTimeout(3000);
        equal(refreshes, [], 'refreshes of a long-lived token in the first seconds');
        return;
      }
      const due = Math.max(5, api.expiresIn - 30) * 1000;
      await eventually(async () => refreshes.length > 0, 'no scheduled refresh', due + 5000);
      equal(refreshes[0], 200, 'refresh status');
      await page.getByRole('navigation', { name: 'Record types' }).getByRole('link', { name: 'Tasks', exact: true }).click();
      await waitForRows(page);
    },
  },
  {
    name: 'serving: app routes fall back to index.html, /api keeps the JSON 404, headers',
    async run({ page }) {
      const deep = await page.request.get(`${BASE}/project/00000000-0000-0000-0000-000000000000/task`);
      equal(deep.status(), 200, 'deep link status');
      check((await deep.text()).includes('<div id="root">'), 'deep link is not the app');
      equal(deep.headers()['cache-control'], 'no-cache', 'index.html cache-control');
      const csp = deep.headers()['content-security-policy'] ?? '';
      check(csp.includes("script-src 'self'") && !csp.includes("'unsafe-inline' 'self'; script"), `CSP: ${csp}`);
      const html = await deep.text();
      check(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'index.html has an inline script');

      const asset = html.match(/\/assets\/[^"]+\.js/)?.[0];
      check(asset, 'no hashed script in index.html');
      const js = await page.request.get(`${BASE}${asset}`);
      equal(js.headers()['cache-control'], 'public, max-age=31536000, immutable', 'asset cache-control');

      const api = await page.request.get(`${BASE}/api/v1/no-such-route`);
      equal(api.status(), 404, 'unknown API route');
      equal((await api.json()).error.code, 'route_not_found', 'envelope code');
      const missing = await page.request.get(`${BASE}/no-such-file.png`);
      equal(missing.status(), 404, 'missing file');
      const post = await page.request.post(`${BASE}/project`);
      equal(post.status(), 404, 'POST outside /api');
    },
  },
  {
    name: 'order detail: header fields and its lines',
    async run({ page, api }) {
      const order = (await api.get('/api/v1/order?limit=1&sort=name')).body.data[0];
      const full = (await api.get(`/api/v1/order/${order.id}`)).body;
      await signIn(page, `/order/${order.id}`);
      await page.getByRole('heading', { level: 1, name: order.name }).waitFor();
      const lines = page.getByRole('table', { name: 'Order lines' });
      await lines.waitFor();
      equal(await lines.locator('tbody tr').count(), full.lines.length, 'order lines');
      await lines.getByText(full.lines[0].product_id_name).first().waitFor();
      await page.getByRole('tab', { name: /^Invoices/ }).waitFor();
      await shot(page, '15-order-detail');
    },
  },
  {
    name: 'accessibility: axe finds no serious violations on the main pages, light and dark',
    // axe is injected as a script tag, which the app's CSP would refuse.
    bypassCSP: true,
    async run({ page, api }) {
      await page.goto(`${BASE}/sign-in`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await checkAccessibility(page, 'sign-in');
      await signIn(page);
      await waitForRows(page);
      await checkAccessibility(page, 'projects');
      const project = (await api.get('/api/v1/project?limit=1')).body.data[0];
      await page.goto(`${BASE}/project/${project.id}`);
      await page.getByRole('heading', { level: 1, name: project.name }).waitFor();
      await checkAccessibility(page, 'project detail');
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByRole('form', { name: 'Edit project' }).waitFor();
      await checkAccessibility(page, 'project edit form');
      await page.goto(`${BASE}/task?view=board`);
      await page.locator('.pmo-kanban-card').first().waitFor();
      await checkAccessibility(page, 'task board');
      await page.getByRole('button', { name: 'Switch to dark mode' }).click();
      await page.goto(`${BASE}/project`);
      await waitForRows(page);
      await checkAccessibility(page, 'projects (dark)');
    },
  },
  {
    name: 'every list page renders from the registry without errors',
    async run({ page, api }) {
      const types = (await api.get('/api/v1/entity/types')).body.data;
      await signIn(page);
      for (const type of types) {
        await page.getByRole('navigation', { name: 'Record types' }).getByRole('link', { name: type.plural_label, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: type.plural_label }).waitFor();
        await eventually(async () => (await page.locator('table[aria-busy="true"]').count()) === 0 && (await page.getByText('Loading…').count()) === 0, `${type.name} keeps loading`);
        check((await page.getByText('could not be loaded').count()) === 0, `${type.name} list failed`);
      }
    },
  },
  {
    name: 'datalabel manager: rename, recolour and reorder task stages; an in-use label cannot be deactivated',
    allow: [/status of 409/, /status of 422/],
    // axe is injected as a script tag, which the app's CSP would refuse.
    bypassCSP: true,
    async run({ page, api }) {
      const original = (await api.get('/api/v1/setting/task_stage')).body.data;
      const review = original.find((v) => v.name === 'In Review');
      check(review, 'the seed has an "In Review" task stage');
      const renamed = `Peer review ${Date.now() % 100000}`;
      try {
        await signIn(page, '/project');
        await page.getByRole('navigation', { name: 'Record types' }).getByRole('link', { name: 'Datalabels' }).click();
        await page.waitForURL(/\/settings\/datalabels\/task_stage$/);
        const table = page.getByRole('table', { name: 'Task stage labels' });
        await table.getByText('In Review', { exact: true }).waitFor();
        await shot(page, '16-datalabel-manager');
        await page.mouse.move(700, 10); // no hover state on the link just clicked
        await checkAccessibility(page, 'datalabel manager');

        // Rename; an empty name is refused by the API and the message stands under the field.
        await table.getByRole('button', { name: 'Edit In Review' }).click();
        const name = table.getByRole('textbox', { name: 'Name' });
        await name.fill('');
        await table.getByRole('button', { name: 'Save' }).click();
        await table.getByText('must not be empty').waitFor();
        await eventually(async () => (await name.getAttribute('aria-invalid')) === 'true', 'Name is not marked invalid');
        await name.fill(renamed);
        await table.getByRole('button', { name: 'Save' }).click();
        await table.getByText(renamed, { exact: true }).waitFor();
        await eventually(async () => (await api.get('/api/v1/setting/task_stage')).body.data.some((v) => v.key === review.key && v.name === renamed), 'the API still has the old name');

        // Recolour.
        await table.getByRole('button', { name: `Edit ${renamed}` }).click();
        await table.getByRole('textbox', { name: 'Colour' }).fill('#0EA5E9');
        await table.getByRole('button', { name: 'Save' }).click();
        await table.locator('tr', { hasText: renamed }).getByText('#0EA5E9').waitFor();
        equal((await api.get('/api/v1/setting/task_stage')).body.data.find((v) => v.key === review.key).color_code.toUpperCase(), '#0EA5E9', 'saved colour');

        // Reorder with the buttons, by keyboard on the handle, and by mouse.
        const before = await activeOrder(api, 'task_stage');
        const at = before.indexOf(renamed);
        await table.getByRole('button', { name: `Move ${renamed} up` }).click();
        const up = [...before];
        up.splice(at, 1);
        up.splice(at - 1, 0, renamed);
        await eventually(async () => JSON.stringify(await activeOrder(api, 'task_stage')) === JSON.stringify(up), 'the move up was not saved');
        await eventually(async () => JSON.stringify((await labelNames(page)).slice(0, up.length)) === JSON.stringify(up), 'the table is not in the new order');

        await table.getByRole('button', { name: `Drag ${renamed}` }).focus();
        await page.keyboard.press('Space');
        await page.waitForTimeout(150);
        await page.keyboard.press('ArrowDown');
        await page.waitForTimeout(150);
        await page.keyboard.press('Space');
        await eventually(async () => JSON.stringify(await activeOrder(api, 'task_stage')) === JSON.stringify(before), 'the keyboard move was not saved');

        const first = before[0];
        await dragRow(page, table.getByRole('button', { name: `Drag ${renamed}` }), table.locator('tr', { hasText: first }));
        const dragged = [renamed, ...before.filter((n) => n !== renamed)];
        await eventually(async () => JSON.stringify(await activeOrder(api, 'task_stage')) === JSON.stringify(dragged), 'the drag was not saved');
        await eventually(async () => (await labelNames(page))[0] === renamed, 'the dragged row is not first');
        await shot(page, '17-datalabel-reordered');

        // The board shows the new name (and order).
        await page.goto(`${BASE}/task?view=board`);
        await column(page, renamed).waitFor();
        equal(await page.locator('section.pmo-kanban-column').count() > 0, true, 'board columns');
        const headings = await page.locator('section.pmo-kanban-column').evaluateAll((cols) => cols.map((c) => c.textContent ?? ''));
        check(headings[0].includes(renamed), `the first board column is not ${renamed}: ${headings[0].slice(0, 40)}`);
        await page.goBack();

        // A label in use cannot be deactivated: the API's message stands next to the row.
        await table.getByRole('button', { name: 'Deactivate To Do' }).click();
        const refusal = table.locator('tr', { hasText: 'To Do' }).getByTestId('label-error');
        await refusal.waitFor();
        check(/still used by \d+ record/.test(await refusal.textContent()), `refusal text: ${await refusal.textContent()}`);
        await shot(page, '18-datalabel-in-use');

        // Add an unused label, deactivate it, bring it back and deactivate it again.
        const added = `E2E stage ${Date.now() % 100000}`;
        await page.getByRole('button', { name: 'Add label' }).click();
        await page.getByText('must not be empty').waitFor();
        await page.getByRole('textbox', { name: 'New label name' }).fill(added);
        await page.getByRole('textbox', { name: 'New label colour' }).fill('#EC4899');
        await page.getByRole('button', { name: 'Add label' }).click();
        const row = table.locator('tr', { hasText: added });
        await row.getByText('Active', { exact: true }).waitFor();
        await table.getByRole('button', { name: `Deactivate ${added}` }).click();
        await row.getByText('Inactive', { exact: true }).waitFor();
        await table.getByRole('button', { name: `Reactivate ${added}` }).click();
        await row.getByText('Active', { exact: true }).waitFor();
        await table.getByRole('button', { name: `Deactivate ${added}` }).click();
        await row.getByText('Inactive', { exact: true }).waitFor();
        const stored = (await api.get('/api/v1/setting/task_stage?include_inactive=true')).body.data.find((v) => v.name === added);
        check(stored && !stored.active_flag && stored.color_code.toUpperCase() === '#EC4899', `the added label in the API: ${JSON.stringify(stored)}`);
        equal((await labelNames(page)).at(-1), added, 'deactivated labels are listed last');
      } finally {
        // Leave the stages as the seed had them for the other tests.
        await api.patch(`/api/v1/setting/task_stage/${review.key}`, { name: review.name, color_code: review.color_code });
        await api.post('/api/v1/setting/task_stage/reorder', { keys: original.sort((a, b) => a.sort_order - b.sort_order).map((v) => v.key) });
      }
    },
  },
  {
    name: 'permissions: a grant makes a project visible to another employee, revoking hides it; non-admins see no admin buttons',
    allow: [/status of 422/],
    bypassCSP: true,
    async run({ page, context, api, problems }) {
      const email = 'sarah.chen@huronhome.ca';
      const sarah = (await api.get('/api/v1/entity/employee/options?q=Sarah%20Chen')).body.data[0];
      check(sarah, 'the seed has Sarah Chen');
      const project = (await api.get('/api/v1/project?limit=1&sort=name')).body.data[0];
      const levels = await api.get(`/api/v1/rbac/check?entity_type=project&entity_id=${project.id}&employee_id=${sarah.id}`);
      equal(levels.status, 200, 'rbac check');
      check(!JSON.stringify(levels.body).includes('"view"'), `Sarah can already see ${project.name}: ${JSON.stringify(levels.body)}`);

      // Sarah, a non-administrator without grants, in her own browser.
      const her = await secondPerson(context, problems);
      try {
        await signInAs(her.page, email, '/project');
        await her.page.getByText('No projects yet.').waitFor();
        const nav = her.page.getByRole('navigation', { name: 'Record types' });
        await nav.getByRole('link', { name: 'Tasks', exact: true }).waitFor();
        equal(await nav.getByRole('link', { name: 'Datalabels' }).count(), 0, 'Datalabels link for a non-admin');
        equal(await nav.getByRole('link', { name: 'Permissions' }).count(), 0, 'Permissions link for someone who shares nothing');
        equal(await her.page.getByRole('button', { name: 'New project' }).count(), 0, 'New project button without Create');
        await her.page.goto(`${BASE}/settings/datalabels`);
        await her.page.getByRole('heading', { name: 'Page not found' }).waitFor();
        await shot(her.page, '19-non-admin-no-projects');

        // The administrator grants her View on the project.
        await signIn(page, '/settings/permissions');
        await page.getByRole('table', { name: 'Grants' }).waitFor();
        await checkAccessibility(page, 'permissions');
        await page.getByRole('button', { name: 'Grant access' }).click();
        const dialog = page.getByRole('dialog', { name: 'Grant access' });
        await dialog.getByRole('combobox', { name: 'Employee' }).click();
        await dialog.getByRole('combobox', { name: 'Employee' }).fill('Sarah');
        await page.getByRole('option', { name: /^Sarah Chen/ }).click();
        await dialog.getByRole('combobox', { name: 'Record type' }).click();
        await page.getByRole('option', { name: 'Projects', exact: true }).click();
        await dialog.getByRole('radio', { name: 'One project' }).check();
        await dialog.getByRole('combobox', { name: 'Project' }).click();
        await dialog.getByRole('combobox', { name: 'Project' }).fill(project.name.split(' ').slice(0, 2).join(' '));
        await page.getByRole('option', { name: new RegExp(`^${project.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).click();
        // A date in the past: the API refuses it and says so under the field.
        await dialog.getByLabel('Expires after').fill('2020-01-01');
        await dialog.getByRole('button', { name: 'Grant' }).click();
        await dialog.getByText('must be in the future').waitFor();
        await shot(page, '20-grant-form-error');
        await dialog.getByLabel('Expires after').fill('');
        await dialog.getByRole('button', { name: 'Grant' }).click();
        await dialog.waitFor({ state: 'detached' });

        // Filter the list to her grants: the new one is there.
        await page.getByRole('combobox', { name: 'Grantee type' }).click();
        await page.getByRole('option', { name: 'Employee', exact: true }).click();
        await page.getByRole('combobox', { name: 'Employee' }).click();
        await page.getByRole('combobox', { name: 'Employee' }).fill('Sarah');
        await page.getByRole('option', { name: /^Sarah Chen/ }).click();
        const grants = page.getByRole('table', { name: 'Grants' });
        const row = grants.locator('tr', { hasText: project.name });
        await row.waitFor();
        await eventually(async () => (await grants.locator('tbody tr').count()) === 1, 'the filter shows other grants');
        await shot(page, '21-permissions');

        await her.page.goto(`${BASE}/project`);
        await her.page.getByRole('link', { name: project.name }).waitFor();

        // Revoke, after confirming.
        await row.getByRole('button', { name: /^Revoke Sarah Chen on project/ }).click();
        const confirm = page.getByRole('dialog', { name: 'Revoke access?' });
        await confirm.getByText(`Sarah Chen holds view on project ${project.name}.`).waitFor();
        await confirm.getByRole('button', { name: 'Revoke' }).click();
        await confirm.waitFor({ state: 'detached' });
        await page.getByText('No grants match.').waitFor();

        await her.page.reload();
        await her.page.getByText('No projects yet.').waitFor();
        equal(await her.page.getByRole('link', { name: project.name }).count(), 0, 'the project after revoking');
      } finally {
        await her.close();
      }
    },
  },
  {
    name: 'permissions: someone who may share sees the page with their own grants, but not the datalabel manager',
    async run({ page }) {
      await signInAs(page, 'mark.lavoie@huronhome.ca', '/project');
      const nav = page.getByRole('navigation', { name: 'Record types' });
      await nav.getByRole('link', { name: 'Permissions' }).click();
      await page.getByRole('heading', { level: 1, name: 'Permissions' }).waitFor();
      equal(await nav.getByRole('link', { name: 'Datalabels' }).count(), 0, 'Datalabels link for a non-admin');
      const grants = page.getByRole('table', { name: 'Grants' });
      await grants.locator('tbody tr').first().waitFor();
      const grantees = await grants.locator('tbody tr td:first-child').allTextContents();
      check(grantees.length > 0 && grantees.every((g) => g.startsWith('Mark Lavoie')), `not only his own grants: ${grantees.join(', ')}`);
      // He cannot view employee records, yet the grant form names colleagues (GET /rbac/grantees).
      await page.getByRole('button', { name: 'Grant access' }).click();
      const dialog = page.getByRole('dialog', { name: 'Grant access' });
      await dialog.getByRole('combobox', { name: 'Employee' }).click();
      await dialog.getByRole('combobox', { name: 'Employee' }).fill('Sarah');
      await page.getByRole('option', { name: /^Sarah Chen/ }).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    },
  },
  {
    name: 'files: choose and drop files onto a project with progress, refusals next to the file, download the same bytes, a second version, both downloadable',
    // The refused files (415, 422) are logged by the browser as failed requests.
    allow: [/status of 415/, /status of 422/],
    // axe is injected as a script tag, which the app's CSP would refuse.
    bypassCSP: true,
    async run({ page, api }) {
      const project = shared.projectId ? { id: shared.projectId } : (await api.get('/api/v1/project?limit=1&sort=name')).body.data[0];
      const stamp = Date.now();
      const name = `e2e-notes-${stamp}.txt`;
      // Large enough for the browser to report progress on the way (it is still one local PUT).
      const first = Buffer.from(`PMO upload test ${stamp}\n`.repeat(40_000));
      await signIn(page, `/project/${project.id}/artifact`);
      const table = page.getByRole('table', { name: 'Artifacts' });
      await table.waitFor();
      equal(await page.getByRole('button', { name: 'New artifact' }).count(), 0, 'a generic "New artifact" button (the API refuses it)');

      const progress = await watchProgress(page);
      // A slow uplink (Chromium's throttling, ~1 MB/s), so the bar visibly moves on the way.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1_000_000 });
      await chooseFiles(page, page.getByRole('button', { name: 'Upload file' }), [
        { name, mimeType: 'text/plain', buffer: first },
        { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<p>hi</p>') },
        { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
      ]);
      const uploads = page.getByRole('list', { name: 'Uploads' });
      const done = uploads.getByTestId('upload-item').filter({ hasText: name });
      await eventually(async () => (await done.getAttribute('data-phase')) === 'done', 'the upload did not finish', 15_000);
      await done.getByText('Uploaded').waitFor();
      equal(await done.getByRole('progressbar', { name: `Upload of ${name}` }).getAttribute('aria-valuenow'), '100', 'progress at the end');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      const values = await progress(`Upload of ${name}`);
      check(values.some((v) => v > 0 && v < 100) && values.at(-1) === 100, `progress did not move on the way: ${JSON.stringify(values)}`);
      check(values.every((v, i) => i === 0 || v >= values[i - 1]), `progress went backwards: ${JSON.stringify(values)}`);
      // The API's refusals, as sentences next to their file.
      await uploads.getByTestId('upload-item').filter({ hasText: 'page.html' }).getByText('Files of type text/html are not accepted.').waitFor();
      await uploads.getByTestId('upload-item').filter({ hasText: 'empty.txt' }).getByText('Not accepted: Size: empty files cannot be uploaded.').waitFor();
      await table.getByRole('link', { name, exact: true }).waitFor();

      // Dropped onto the zone instead of chosen.
      const dropped = `e2e-dropped-${stamp}.txt`;
      const zone = page.locator('.pmo-dropzone');
      const transfer = await page.evaluateHandle((fileName) => {
        const data = new DataTransfer();
        data.items.add(new File(['dropped bytes\n'], fileName, { type: 'text/plain' }));
        return data;
      }, dropped);
      await zone.dispatchEvent('dragover', { dataTransfer: transfer });
      await zone.dispatchEvent('drop', { dataTransfer: transfer });
      await eventually(async () => (await uploads.getByTestId('upload-item').filter({ hasText: dropped }).getAttribute('data-phase')) === 'done', 'the dropped file did not upload');
      await table.getByRole('link', { name: dropped, exact: true }).waitFor();
      await shot(page, '22-project-files-uploaded');
      await checkAccessibility(page, 'project files with uploads');

      const listed = (await api.get(`/api/v1/project/${project.id}/artifact?limit=200`)).body.data.filter((a) => a.file_name === name);
      equal(listed.map((a) => [a.upload_status, a.file_size_bytes, a.file_version]), [['available', first.length, 1]], 'the file in the API');

      await table.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      const versions = page.getByRole('list', { name: 'Versions' });
      await eventually(async () => (await versions.getByRole('listitem').count()) === 1, 'one version listed');
      const v1 = await download(page, versions.getByRole('button', { name: 'Download version 1' }));
      equal(v1.name, name, 'saved file name');
      sameBytes(v1, first, 'version 1');

      // A second version with other bytes (and name): both stay downloadable.
      const second = randomBytes(200_000);
      const secondName = `e2e-notes-${stamp}-v2.bin`;
      await chooseFiles(page, page.getByRole('button', { name: 'Upload new version' }), [
        { name: secondName, mimeType: 'application/octet-stream', buffer: second },
      ]);
      const newVersion = page.getByRole('list', { name: 'Uploads' }).getByTestId('upload-item').filter({ hasText: secondName });
      await eventually(async () => (await newVersion.getAttribute('data-phase')) === 'done', 'the new version did not finish', 15_000);
      await eventually(async () => (await versions.getByRole('listitem').count()) === 2, 'two versions listed');
      const latest = versions.getByRole('listitem', { name: 'Version 2' });
      await latest.getByText('Latest', { exact: true }).waitFor();
      await latest.getByText(secondName).waitFor();
      await latest.getByText(/by James Miller/).waitFor();
      await shot(page, '23-artifact-versions');
      await checkAccessibility(page, 'artifact versions');
      const v2 = await download(page, latest.getByRole('button', { name: 'Download version 2' }));
      equal(v2.name, secondName, 'saved name of version 2');
      sameBytes(v2, second, 'version 2');
      const again = await download(page, versions.getByRole('button', { name: 'Download version 1' }));
      sameBytes(again, first, 'version 1 after the new version');

      const chain = (await api.get(`/api/v1/artifact/${listed[0].id}/versions`)).body.data;
      equal(chain.map((v) => [v.file_version, v.upload_status, v.is_latest_version]), [[2, 'available', true], [1, 'available', false]], 'the chain in the API');
      // The project's tab lists the file once, at its latest version.
      await page.goto(`${BASE}/project/${project.id}/artifact`);
      await table.getByRole('link', { name, exact: true }).waitFor();
      const rows = await table.locator('tbody tr', { hasText: secondName }).count();
      equal(rows, 1, 'rows of the file in the project tab');
    },
  },
  {
    name: 'restore: a deleted client is listed under "Show deleted" and restored; someone without Delete gets no Restore',
    bypassCSP: true, // axe
    async run({ page, context, api, problems }) {
      const name = `E2E restore ${Date.now()}`;
      const created = await api.post('/api/v1/client', { name });
      equal(created.status, 201, 'client created');
      const id = created.body.id;
      await signIn(page, `/client/${id}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(/\/client$/);
      equal((await api.get(`/api/v1/client/${id}`)).body.active_flag, false, 'deleted in the API');

      await page.getByRole('searchbox', { name: 'Search' }).fill(name);
      await page.getByText('Nothing matches the search and filters.').waitFor();
      // The switch follows the URL, which React Router updates in a transition: click, then wait.
      await page.getByRole('switch', { name: 'Show deleted' }).click();
      await page.waitForURL(/deleted=true/);
      const table = page.getByRole('table', { name: 'Clients' });
      const row = table.locator('tbody tr', { hasText: name });
      await row.waitFor();
      await page.getByText(/^1 deleted client$/).waitFor();
      // Its own page says it is deleted and offers Restore instead of Edit and Delete.
      await row.getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.getByText('Deleted', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Restore' }).waitFor();
      equal(await page.getByRole('button', { name: /^(Edit|Delete)$/ }).count(), 0, 'Edit or Delete on a deleted record');
      await page.goBack();
      await page.reload(); // the toggle lives in the URL
      await row.waitFor();
      check(await page.getByRole('switch', { name: 'Show deleted' }).isChecked(), 'Show deleted is off after a reload');
      await shot(page, '24-deleted-clients');
      await checkAccessibility(page, 'deleted clients');

      // Mark may view clients but not delete them: he sees the row, not the button.
      const mark = await secondPerson(context, problems);
      try {
        await signInAs(mark.page, 'mark.lavoie@huronhome.ca', `/client?q=${encodeURIComponent(name)}&deleted=true`);
        await mark.page.getByRole('table', { name: 'Clients' }).locator('tbody tr', { hasText: name }).waitFor();
        equal(await mark.page.getByRole('button', { name: `Restore ${name}` }).count(), 0, 'Restore for someone without Delete');
      } finally {
        await mark.close();
      }

      await row.getByRole('button', { name: `Restore ${name}` }).click();
      await page.getByText(`${name} restored.`).waitFor();
      await eventually(async () => (await row.count()) === 0, 'the restored row stays in the deleted view');
      equal((await api.get(`/api/v1/client/${id}`)).body.active_flag, true, 'restored in the API');
      await page.getByRole('switch', { name: 'Show deleted' }).click();
      await eventually(() => !page.url().includes('deleted='), 'deleted= stays in the URL');
      await table.getByRole('link', { name, exact: true }).waitFor();
    },
  },
  {
    name: 'phone width, dark mode: settings pages, file views and the deleted list fit the screen',
    viewport: { width: 390, height: 844 },
    bypassCSP: true, // axe
    async run({ page, api }) {
      await signIn(page, '/settings/datalabels/task_stage');
      await page.getByRole('button', { name: 'Switch to dark mode' }).click();
      await eventually(async () => (await page.evaluate(() => document.documentElement.dataset.mantineColorScheme)) === 'dark', 'not dark');

      const labels = page.getByRole('table', { name: 'Task stage labels' });
      await labels.getByText('In Review', { exact: true }).waitFor();
      // On a phone the datalabels are picked from a list box, not a long column of links.
      const picker = page.getByRole('combobox', { name: 'Datalabel' });
      await fitsScreen(page, 'datalabel manager', [picker, labels.getByRole('button', { name: 'Edit In Review' }), page.getByRole('button', { name: 'Add label' })]);
      await shot(page, '25-phone-dark-datalabels');
      await checkAccessibility(page, 'datalabel manager (phone, dark)');
      await picker.click();
      await page.getByRole('option', { name: 'Task priority' }).click();
      await page.waitForURL(/\/settings\/datalabels\/task_priority$/);
      await page.getByRole('table', { name: 'Task priority labels' }).waitFor();

      await page.goto(`${BASE}/settings/permissions`);
      const grants = page.getByRole('table', { name: 'Grants' });
      await grants.locator('tbody tr').first().waitFor();
      await fitsScreen(page, 'permissions', [page.getByRole('button', { name: 'Grant access' }), grants.getByRole('button', { name: /^Revoke / }).first()]);
      await shot(page, '26-phone-dark-permissions');
      await checkAccessibility(page, 'permissions (phone, dark)');
      await page.getByRole('button', { name: 'Grant access' }).click();
      const dialog = page.getByRole('dialog', { name: 'Grant access' });
      await dialog.waitFor();
      await fitsScreen(page, 'grant form', [dialog.getByRole('button', { name: 'Grant' }), dialog.getByRole('button', { name: 'Cancel' })]);
      await shot(page, '27-phone-dark-grant-form');
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      const project = shared.projectId || (await api.get('/api/v1/project?limit=1&sort=name')).body.data[0].id;
      await page.goto(`${BASE}/project/${project}/artifact`);
      await page.getByRole('table', { name: 'Artifacts' }).waitFor();
      await fitsScreen(page, 'project files', [page.getByRole('button', { name: 'Upload file' })]);
      await shot(page, '28-phone-dark-project-files');
      await checkAccessibility(page, 'project files (phone, dark)');
      const file = (await api.get(`/api/v1/project/${project}/artifact?limit=1&is_latest_version=true`)).body.data[0];
      if (file) {
        await page.goto(`${BASE}/artifact/${file.id}`);
        const versions = page.getByRole('list', { name: 'Versions' });
        await versions.getByRole('listitem').first().waitFor();
        await fitsScreen(page, 'artifact', [versions.getByRole('button', { name: /^Download version/ }).first(), page.getByRole('button', { name: 'Upload new version' })]);
        await shot(page, '29-phone-dark-artifact-versions');
        await checkAccessibility(page, 'artifact versions (phone, dark)');
      }

      // A deleted client: its Restore button stays on the screen while the table scrolls sideways.
      const name = `E2E phone restore ${Date.now()}`;
      const client = (await api.post('/api/v1/client', { name })).body;
      try {
        equal((await api.delete(`/api/v1/client/${client.id}`)).status, 204, 'client deleted');
        await page.goto(`${BASE}/client?deleted=true&q=${encodeURIComponent(name)}`);
        const restore = page.getByRole('button', { name: `Restore ${name}` });
        await restore.waitFor();
        await fitsScreen(page, 'deleted clients', [page.getByRole('switch', { name: 'Show deleted' }), restore]);
        await shot(page, '30-phone-dark-deleted-clients');
        await checkAccessibility(page, 'deleted clients (phone, dark)');
      } finally {
        await api.post(`/api/v1/client/${client.id}/restore`);
      }
      await page.getByRole('button', { name: 'Switch to light mode' }).click();
    },
  },
  {
    name: 'form submissions: another employee submits, the author approves with a note, a decision that lands first shows "already decided", approval mails',
    // The decision refused because someone decided first is logged by the browser as a failed request.
    allow: [/status of 409/],
    bypassCSP: true,
    async run({ page, context, api, problems }) {
      const stamp = Date.now();
      const formName = `E2E site check ${stamp}`;
      const created = await api.post('/api/v1/form', {
        name: formName,
        form_schema: { steps: [{ name: 'site', fields: [{ name: 'helmets', label: 'Helmets worn', type: 'text' }] }] },
      });
      equal(created.status, 201, 'form created');
      const form = created.body;
      const sarahEmail = 'sarah.chen@huronhome.ca';
      const sarah = (await api.get('/api/v1/entity/employee/options?q=Sarah%20Chen')).body.data[0];
      check(sarah, 'the seed has Sarah Chen');
      const grant = await api.post('/api/v1/rbac/grants', {
        grantee_type: 'employee',
        grantee_id: sarah.id,
        entity_type: 'form',
        entity_id: form.id,
        levels: [0],
      });
      equal(grant.status, 201, 'Sarah may view the form');
      const hers = `all helmets on ${stamp}`;
      const her = await secondPerson(context, problems);
      try {
        // Sarah (View only) answers: the row prefilled from the definition, and one she adds.
        await signInAs(her.page, sarahEmail, `/form/${form.id}`);
        const herSection = her.page.getByRole('region', { name: 'Submissions' });
        const editor = herSection.getByRole('form', { name: 'New submission' });
        await editor.waitFor();
        equal(await editor.getByRole('textbox', { name: 'Field name 1' }).inputValue(), 'helmets', 'row prefilled from form_schema');
        await editor.getByRole('textbox', { name: 'Answer 1' }).fill(hers);
        await editor.getByRole('button', { name: 'Add row' }).click();
        // An answer without a field name is refused before sending, and nothing typed is lost.
        await editor.getByRole('textbox', { name: 'Answer 2' }).fill('four');
        await editor.getByRole('button', { name: 'Submit' }).click();
        await editor.getByText('Name the field this answer belongs to.').waitFor();
        equal(await editor.getByRole('textbox', { name: 'Answer 1' }).inputValue(), hers, 'answer kept after a refusal');
        await editor.getByRole('textbox', { name: 'Field name 2' }).fill('crew');
        await editor.getByRole('button', { name: 'Submit' }).click();
        const herRow = herSection.getByTestId('submission').filter({ hasText: hers });
        await herRow.getByTestId('approval-status').filter({ hasText: 'pending' }).waitFor();
        check((await herRow.textContent()).includes('crew: four'), 'both answers listed');
        equal(await editor.getByRole('textbox', { name: 'Answer 1' }).inputValue(), '', 'editor emptied after sending');
        equal(await herSection.getByRole('button', { name: 'Approve' }).count(), 0, 'Approve offered without Edit on the form');

        // The author (the demo admin) approves it with a note.
        await signIn(page, `/form/${form.id}`);
        const section = page.getByRole('region', { name: 'Submissions' });
        const row = section.getByTestId('submission').filter({ hasText: hers });
        await row.getByTestId('approval-status').filter({ hasText: 'pending' }).waitFor();
        check((await row.textContent()).includes('Sarah Chen'), 'submitter named');
        await row.getByRole('textbox', { name: 'Decision notes (optional)' }).fill('Looks safe, thanks');
        await shot(page, '31-form-submission-pending');
        await checkAccessibility(page, 'form submissions');
        await row.getByRole('button', { name: 'Approve' }).click();
        await row.getByTestId('approval-status').filter({ hasText: 'approved' }).waitFor();
        await row.getByTestId('decision').filter({ hasText: /Looks safe, thanks/ }).waitFor();
        equal(await row.getByRole('button', { name: 'Approve' }).count(), 0, 'Approve still offered on a decided submission');
        const decided = (await api.get(`/api/v1/form/${form.id}/submission`)).body.data.find((s) => s.data.helmets === hers);
        equal([decided.approval_status_name, decided.approval_notes], ['approved', 'Looks safe, thanks'], 'decision stored');
        check((await row.getByTestId('decision').textContent()).includes(decided.approved_by_name), 'who decided is named');
        await shot(page, '32-form-submission-approved');

        // The admin submits too; someone else rejects it first: Approve answers "already decided"
        // and the row shows their decision.
        const mine = `second answer ${stamp}`;
        const adminEditor = section.getByRole('form', { name: 'New submission' });
        await adminEditor.getByRole('textbox', { name: 'Answer 1' }).fill(mine);
        await adminEditor.getByRole('button', { name: 'Submit' }).click();
        const mineRow = section.getByTestId('submission').filter({ hasText: mine });
        await mineRow.getByRole('button', { name: 'Approve' }).waitFor();
        const mineId = (await api.get(`/api/v1/form/${form.id}/submission`)).body.data.find((s) => s.data.helmets === mine).id;
        equal((await api.post(`/api/v1/form/${form.id}/submission/${mineId}/decision`, { decision: 'rejected' })).status, 200, 'rejected elsewhere');
        await mineRow.getByRole('button', { name: 'Approve' }).click();
        await section.getByText(/^Already decided/).waitFor();
        await mineRow.getByTestId('approval-status').filter({ hasText: 'rejected' }).waitFor();
        equal(await mineRow.getByRole('button', { name: 'Reject' }).count(), 0, 'Reject still offered after the refusal');

        // Sarah sees the decision on her own submission, and only her own.
        await her.page.reload();
        await herRow.getByTestId('approval-status').filter({ hasText: 'approved' }).waitFor();
        equal(await herSection.getByTestId('submission').count(), 1, 'Sarah lists only her own submission');

        // The mails: the author was asked to approve, Sarah was told the decision.
        const subjects = async (to) =>
          (await api.get(`/api/v1/dev-mailbox?limit=200&to=${encodeURIComponent(to)}`)).body.data.map((m) => m.subject);
        await eventually(async () => (await subjects(EMAIL)).includes(`Approval needed: ${formName}`), 'approval request mail to the author');
        await eventually(async () => (await subjects(sarahEmail)).includes(`${formName}: approved`), 'decision mail to the submitter');
      } finally {
        await her.close();
        await api.delete(`/api/v1/rbac/grants/${grant.body.id}`);
        await api.delete(`/api/v1/form/${form.id}`);
      }
    },
  },
  {
    name: 'bulk select: delete two clients from the bar, restore them under "Show deleted"; the header selects the page',
    bypassCSP: true, // axe
    allow: [/status of 409/], // the record someone else deleted first
    async run({ page, api }) {
      const prefix = `E2E bulk ${Date.now()}`;
      const names = [`${prefix} A`, `${prefix} B`, `${prefix} C`];
      const ids = [];
      try {
        for (const name of names) {
          const created = await api.post('/api/v1/client', { name });
          equal(created.status, 201, `client ${name} created`);
          ids.push(created.body.id);
        }
        await signIn(page, `/client?q=${encodeURIComponent(prefix)}&sort=name&order=asc`);
        const table = page.getByRole('table', { name: 'Clients' });
        await eventually(async () => (await table.locator('tbody tr', { hasText: prefix }).count()) === 3, 'the three clients are listed');
        const rows = () => table.locator('tbody tr', { hasText: prefix });
        const bar = page.getByRole('region', { name: 'Bulk actions' });
        const all = table.getByRole('checkbox', { name: 'Select all on this page' });

        // The header checkbox: all rows of the page, indeterminate when some, none again.
        await all.check();
        await bar.getByText('3 selected').waitFor();
        for (const name of names) check(await table.getByRole('checkbox', { name: `Select ${name}` }).isChecked(), `${name} not selected by the header`);
        await table.getByRole('checkbox', { name: `Select ${names[2]}` }).uncheck();
        equal(await all.evaluate((el) => [el.checked, el.indeterminate]), [false, true], 'header with two of three selected');
        await all.click();
        await bar.getByText('3 selected').waitFor();
        await all.click();
        await eventually(async () => (await bar.count()) === 0, 'the bar stays with nothing selected');

        // Two by keyboard and mouse, then delete them through the bar.
        await table.getByRole('checkbox', { name: `Select ${names[0]}` }).focus();
        await page.keyboard.press('Space');
        await table.getByRole('checkbox', { name: `Select ${names[1]}` }).click();
        await bar.getByText('2 selected').waitFor();
        await checkAccessibility(page, 'clients with a selection');
        await shot(page, '33-bulk-selected');
        await bar.getByRole('button', { name: 'Delete selected' }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete 2 clients?' });
        // Someone else deletes B first: that one fails and is listed with the API's message.
        equal((await api.delete(`/api/v1/client/${ids[1]}`)).status < 300, true, 'B deleted by someone else');
        await dialog.getByRole('button', { name: 'Delete' }).click();
        await page.getByText('1 deleted, 1 failed.').waitFor();
        const failures = page.getByRole('list', { name: 'Failures' }).getByRole('listitem');
        equal(await failures.count(), 1, 'failures listed');
        const failure = await failures.first().textContent();
        check(/^E2E bulk \d+ B: \S/.test(failure ?? ''), `the failure names B and the reason: ${failure}`);
        await eventually(async () => (await rows().count()) === 1, 'deleted clients stay in the list');
        await table.getByRole('link', { name: names[2], exact: true }).waitFor();
        equal((await api.get(`/api/v1/client/${ids[0]}`)).body.active_flag, false, 'first deleted in the API');
        equal((await api.get(`/api/v1/client/${ids[1]}`)).body.active_flag, false, 'second deleted in the API');

        // A selection does not survive a change of the search.
        await table.getByRole('checkbox', { name: `Select ${names[2]}` }).check();
        await bar.waitFor();
        await page.getByRole('switch', { name: 'Show deleted' }).click();
        await page.waitForURL(/deleted=true/);
        await eventually(async () => (await rows().count()) === 2, 'the two deleted clients under Show deleted');
        equal(await bar.count(), 0, 'the selection survived the deleted toggle');

        await all.check();
        await bar.getByText('2 selected').waitFor();
        await bar.getByRole('button', { name: 'Restore selected' }).click();
        await page.getByText('2 restored.').waitFor();
        await eventually(async () => (await rows().count()) === 0, 'restored clients stay in the deleted view');
        await page.getByRole('switch', { name: 'Show deleted' }).click();
        await eventually(() => !page.url().includes('deleted='), 'deleted= stays in the URL');
        await eventually(async () => (await rows().count()) === 3, 'the restored clients are back');
        for (const id of ids) equal((await api.get(`/api/v1/client/${id}`)).body.active_flag, true, `${id} restored in the API`);
      } finally {
        for (const id of ids) await api.delete(`/api/v1/client/${id}`);
      }
    },
  },
];

// ---------------------------------------------------------------- runner

const selected = tests.filter((t) => t.name.includes(filter));
const browser = await launchBrowser();
const api = await apiSession();
const results = [];

for (const test of selected) {
  const started = Date.now();
  const context = await browser.newContext({ viewport: test.viewport ?? DESKTOP, bypassCSP: test.bypassCSP ?? false });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  const allowed = (text) => (test.allow ?? []).some((re) => re.test(text));
  page.on('console', (message) => {
    if (message.type() === 'error' && !allowed(message.text())) problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  let error = null;
  try {
    await test.run({ page, context, api, problems });
    if (problems.length > 0) throw new Failure(problems.join('\n'));
  } catch (caught) {
    error = caught;
    const slug = test.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await page.screenshot({ path: join(OUT, `failed-${slug}.png`) }).catch(() => undefined);
  }
  await context.close();
  const ms = Date.now() - started;
  results.push({ name: test.name, ok: !error, ms, error: error ? String(error.stack ?? error) : undefined });
  console.log(`${error ? '✗' : '✓'} ${test.name} (${ms} ms)`);
  if (error) console.log(`    ${String(error.message ?? error).split('\n').join('\n    ')}`);
}

await browser.close();
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
writeFileSync(join(OUT, 'e2e-results.json'), JSON.stringify({ passed, failed, results }, null, 2));
process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
