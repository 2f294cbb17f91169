// Starts the real storefront server and the onOffice host simulator on free loopback
// ports, and Debian's Chromium through Playwright. Used by every end-to-end test.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
export const SECRET = 'e2e provider secret';
export const ADMIN_TOKEN = 'e2e-admin-token';

/** A listening loopback socket on a port the system chose, kept open until a child process
 * has inherited it (as fd 3, the systemd `LISTEN_FDS` way): no port is picked and released. */
function listeningSocket() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => ok(srv));
    srv.on('error', fail);
  });
}

/** Starts `binary` on `socket`; its output is drained into `logs` so it never blocks. */
function spawnOn(socket, binary, args, env, logs) {
  const child = spawn(binary, args, {
    cwd: root,
    env: { ...env, LISTEN_FDS: '1' },
    // Node hands a listening handle to a child as an extra stdio entry.
    stdio: ['ignore', 'pipe', 'pipe', socket._handle],
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  // The child holds its own copy now; ours would compete for connections.
  socket.close();
  return child;
}

async function waitFor(url, child, name) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not answer at ${url}`);
}

function binary(name) {
  const path = join(root, 'target', process.env.MARKTSTAND_PROFILE || 'debug', name);
  if (!existsSync(path)) throw new Error(`${path} missing: run scripts/build first`);
  return path;
}

/** Starts storefront + simulator (and Chromium through Playwright). `env` overrides the
 * storefront's environment. `options.crossSite` addresses the simulator as `localhost`, so
 * the framed storefront (on 127.0.0.1) is another site, as it is beside onOffice, and
 * third-party rules apply; `options.playwright: false` starts no browser; `options.prefix`
 * (e.g. `/mp/shop`) registers the service under that path (`store` then ends with it). */
export async function startStack(env = {}, options = {}) {
  const [storeSocket, simSocket] = [await listeningSocket(), await listeningSocket()];
  const storeOrigin = `http://127.0.0.1:${storeSocket.address().port}`;
  const store = `${storeOrigin}${options.prefix ?? ''}`;
  const sim = `http://${options.crossSite ? 'localhost' : '127.0.0.1'}:${simSocket.address().port}`;
  const data = mkdtempSync(join(tmpdir(), 'marktstand-e2e-'));
  const logs = [];
  const server = spawnOn(storeSocket, binary('marktstand'), [], {
    PATH: process.env.PATH,
    RUST_LOG: 'info',
    MARKTSTAND_PUBLIC_URL: `${store}/`,
    MARKTSTAND_PROVIDER_SECRET: SECRET,
    MARKTSTAND_ALLOWED_ORIGINS: `https://crm.onoffice.de ${sim}`,
    MARKTSTAND_SESSION_KEY: 'ab'.repeat(32),
    MARKTSTAND_ADMIN_TOKEN: ADMIN_TOKEN,
    MARKTSTAND_SITE_ROOT: join(root, 'dist'),
    MARKTSTAND_CATALOGUE: join(root, 'catalogue.toml'),
    MARKTSTAND_WEBHOOKS: join(root, 'webhooks.toml'),
    MARKTSTAND_API_ENDPOINT: `${sim}/api/stable/api.php`,
    MARKTSTAND_CREDENTIALS_KEY: 'ef'.repeat(32),
    DATABASE_URL: `sqlite://${join(data, 'shop.db')}?mode=rwc`,
    // The other hosts, played by the simulator with its demo keys.
    MARKTSTAND_KOLIBRI24_VALIDATE_URL: `${sim}/kolibri24/v1/validateSignature`,
    MARKTSTAND_KOLIBRI24_FRAME_ANCESTORS: `https://*.kolibri24.com ${sim}`,
    MARKTSTAND_KOLIBRI24_WEBHOOK_TOKENS: 'demo-kolibri24-token',
    MARKTSTAND_ONEFLOW_SIGN_KEY: 'demo-oneflow-sign-key',
    MARKTSTAND_ONEFLOW_API_URL: `${sim}/oneflow/v1`,
    MARKTSTAND_ONEFLOW_API_TOKEN: 'demo-oneflow-token',
    MARKTSTAND_ONEFLOW_USER_EMAIL: 'provider@example.com',
    ...env,
  }, logs);
  // The simulator's own log (it is enterprise: it knows every secret) is kept apart.
  const simulatorLogs = [];
  const simulator = spawnOn(simSocket, binary('marktstand-simulator'), ['--storefront', `${store}/`],
    { PATH: process.env.PATH, SIMULATOR_PROVIDER_SECRET: SECRET }, simulatorLogs);
  await waitFor(`${store}/healthz`, server, 'storefront');
  await waitFor(`${sim}/healthz`, simulator, 'simulator');
  const browser = options.playwright === false ? null : await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    store, storeOrigin, sim, browser, logs, simulatorLogs, data, db: join(data, 'shop.db'),
    async stop() {
      await browser?.close();
      server.kill('SIGTERM');
      simulator.kill('SIGTERM');
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Opens the simulator, fills the launch form and opens the service in its iframe.
 * `options.simulator` opens the simulator under another address (another origin);
 * `options.recordTargets` records the target origin of every postMessage the storefront
 * sends to its parent (see `postedTargets`). */
export async function openService(stack, params = {}, mode = 'valid', options = {}) {
  const context = await stack.browser.newContext();
  if (options.recordTargets) await context.addInitScript(recordTargets, stack.storeOrigin);
  const page = await context.newPage();
  await page.goto(`${options.simulator ?? stack.sim}/`);
  for (const [name, value] of Object.entries(params)) {
    const input = page.locator(`#${name}`);
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
  await page.selectOption('#mode', mode);
  await page.evaluate(() => { document.getElementById('launch-url').textContent = ''; });
  await options.beforeOpen?.(page);
  await page.click('#open');
  // The simulator shows the signed URL once it has set the frame's address.
  await page.waitForFunction(() => document.getElementById('launch-url').textContent.startsWith('http'));
  const frame = page.frameLocator('#service');
  return { context, page, frame };
}

/** Opens the service (launch `params`), puts `product` in the cart, orders it and pays in
 * the simulator's payment popup; returns the open service once the result shows. */
export async function buyAndPay(stack, product, params = {}) {
  const shop = await openService(stack, params);
  await shop.frame.locator(`[data-product="${product}"] button.add`).click();
  await shop.frame.locator('#order').click();
  await shop.page.locator('#payment').waitFor({ state: 'visible' });
  await shop.page.click('#pay-confirm');
  await shop.frame.locator('#result').waitFor();
  return shop;
}

/** Opens the back office in a new page of `context` and signs in with the admin token;
 * returns the page once the lists are shown. */
export async function signIn(stack, context) {
  const admin = await context.newPage();
  await admin.goto(`${stack.store}/admin`);
  await admin.fill('#admin-token', ADMIN_TOKEN);
  await admin.click('#admin-sign-in');
  await admin.locator('#orders, #no-orders').first().waitFor();
  return admin;
}

/** Reloads the back office's lists and waits until they are shown again. */
export async function refreshAdmin(admin) {
  await admin.click('#admin-refresh');
  await admin.locator('#admin-refresh:not([disabled])').waitFor();
}

/** The session token in a launch answer (`POST /api/launch`). The answer is postcard: its
 * first field, the token, is a varint length followed by that many UTF-8 bytes. */
export async function launchToken(response) {
  const body = new Uint8Array(await response.body());
  let length = 0;
  let at = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = body[at++];
    length |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  return new TextDecoder().decode(body.subarray(at, at + length));
}

/** Runs in every frame of the context before its scripts: in the storefront's frame,
 * `window.parent` becomes a stand-in that notes each postMessage's target origin and
 * passes the message on unchanged. */
function recordTargets(store) {
  if (location.origin !== store || window.parent === window) return;
  const parent = window.parent;
  window.postedTargets = [];
  const standIn = { postMessage(message, target) { window.postedTargets.push(target); parent.postMessage(message, target); } };
  Object.defineProperty(window, 'parent', { configurable: true, get: () => standIn });
}

/** The storefront's own frame in `page` (a Playwright Frame, to run scripts in). */
export function storeFrame(stack, page) {
  return page.frames().find((f) => f.url().startsWith(stack.store));
}

/** The target origins the storefront's frame in `page` posted to, in order. */
export async function postedTargets(stack, page) {
  return storeFrame(stack, page).evaluate(() => window.postedTargets);
}

/** Polls `check` until it returns something truthy (and returns that); fails after
 * `timeout` ms naming `what`. For work the server does in the background, where no page
 * event says when it is done. */
export async function eventually(what, check, { timeout = 15000, every = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The messages the simulator received, as it verified them. `page` is a Playwright page or
 * a `driver.mjs` view: both evaluate a function the same way. */
export function messages(page) {
  return page.evaluate(() => window.simulatorMessages.map((m) => ({ ...m })));
}

/** Text with non-breaking spaces made plain, for comparing prices. */
export function plain(text) {
  return text.replace(/\u00a0/g, ' ').trim();
}

/** The orders as stored, read straight from the storefront's SQLite file. */
export function storedOrders(stack) {
  const script = 'import json,sqlite3,sys\n'
    + 'c = sqlite3.connect(sys.argv[1]); c.row_factory = sqlite3.Row\n'
    + 'print(json.dumps([dict(r) for r in c.execute("SELECT * FROM orders ORDER BY created_at, id")]))';
  return JSON.parse(execFileSync('python3', ['-c', script, stack.db], { encoding: 'utf8' }));
}
