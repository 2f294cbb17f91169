// Starts the real storefront server and the onOffice host simulator on free loopback
// ports, and Debian's Chromium through Playwright. Used by every end-to-end test.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
export const SECRET = 'e2e provider secret';
export const ADMIN_TOKEN = 'e2e-admin-token';

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => ok(port)); });
    srv.on('error', fail);
  });
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

/** Starts storefront + simulator. `env` overrides the storefront's environment. */
export async function startStack(env = {}) {
  const [storePort, simPort] = [await freePort(), await freePort()];
  const store = `http://127.0.0.1:${storePort}`;
  const sim = `http://127.0.0.1:${simPort}`;
  const data = mkdtempSync(join(tmpdir(), 'marktstand-e2e-'));
  const logs = [];
  const server = spawn(binary('marktstand'), [], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      RUST_LOG: 'info',
      MARKTSTAND_LISTEN: `127.0.0.1:${storePort}`,
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => logs.push(String(d)));
  server.stderr.on('data', (d) => logs.push(String(d)));
  const simulator = spawn(binary('marktstand-simulator'), ['--listen', `127.0.0.1:${simPort}`, '--storefront', `${store}/`], {
    cwd: root,
    env: { PATH: process.env.PATH, SIMULATOR_PROVIDER_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  simulator.stderr.on('data', (d) => logs.push(String(d)));
  await waitFor(`${store}/healthz`, server, 'storefront');
  await waitFor(`${sim}/healthz`, simulator, 'simulator');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    store, sim, browser, logs, data, db: join(data, 'shop.db'),
    async stop() {
      await browser.close();
      server.kill('SIGTERM');
      simulator.kill('SIGTERM');
    },
  };
}

/** Opens the simulator, fills the launch form and opens the service in its iframe. */
export async function openService(stack, params = {}, mode = 'valid') {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  for (const [name, value] of Object.entries(params)) {
    const input = page.locator(`#${name}`);
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
  await page.selectOption('#mode', mode);
  await page.evaluate(() => { document.getElementById('launch-url').textContent = ''; });
  await page.click('#open');
  // The simulator shows the signed URL once it has set the frame's address.
  await page.waitForFunction(() => document.getElementById('launch-url').textContent.startsWith('http'));
  const frame = page.frameLocator('#service');
  return { context, page, frame };
}

/** The messages the simulator received, as it verified them. */
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
