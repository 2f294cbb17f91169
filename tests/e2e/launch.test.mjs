// The launch in Chromium, where Playwright sees what WebDriver cannot: the requests the page
// makes, the server's logs, the target of every postMessage, an expiring session. The
// launch journeys themselves (signed, tampered, stale, refused framing, no cookie) run in
// every engine: engines.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startStack, openService, messages, postedTargets, eventually, launchToken, signIn, SECRET } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

test('opening the shop takes one request to the server: the launch, started before the app', async () => {
  const context = await stack.browser.newContext();
  const calls = [];
  const events = [];
  context.on('request', (r) => {
    if (r.url().startsWith(`${stack.store}/api/`)) { calls.push([r.url().split('/api/')[1]]); events.push(`asked ${calls.at(-1)[0]}`); }
  });
  context.on('requestfinished', (r) => { if (r.url().endsWith('_bg.wasm')) events.push('wasm loaded'); });
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  await page.click('#open');
  const frame = page.frameLocator('#service');
  await frame.locator('[data-product] button.add').first().waitFor();
  const before = calls.filter(([name]) => name !== 'property_info' && name !== 'my_orders').map(([name]) => name);
  // One verification (the page's bootstrap sent it while the wasm loaded), no catalogue call.
  assert.deepEqual(before, ['launch']);
  assert.ok(events.indexOf('asked launch') < events.indexOf('wasm loaded'), events.join(', '));
  await context.close();
});

test('when the page\'s early launch request fails, the app asks again and the shop opens', async () => {
  let asked = 0;
  const shop = await openService(stack, {}, 'valid', {
    beforeOpen: (page) => page.context().route(`${stack.store}/api/launch`, async (route) => {
      asked += 1;
      if (asked === 1) await route.abort('connectionreset');
      else await route.continue();
    }),
  });
  await shop.frame.locator('[data-product] button.add').first().waitFor();
  assert.equal(await shop.frame.locator('#customer-name').textContent(), 'Musterfirma Immobilien GmbH');
  assert.equal(asked, 2, 'the bootstrap\'s request, then the app\'s own');
  await shop.context.close();
});

test('when the app\'s files cannot be loaded, the page says so in the agent\'s language', async () => {
  // A deployment half rolled out can send a page whose hashed files a replica does not have.
  const missing = (pattern) => (page) => page.context().route(pattern, (route) => route.fulfill({ status: 404, body: 'gone' }));
  for (const [pattern, params, text] of [
    ['**/*_bg.wasm', {}, 'Der Dienst konnte nicht geladen werden. Bitte öffnen Sie ihn erneut.'],
    [/\/marktstand-[0-9a-f]+\.js$/, { UserLanguage: 'ENG' }, 'The service could not be loaded. Please open it again.'],
  ]) {
    const shop = await openService(stack, params, 'valid', { beforeOpen: missing(pattern) });
    const alert = shop.frame.locator('#boot[role=alert]');
    await alert.waitFor();
    assert.equal(await alert.textContent(), text);
    assert.equal(await alert.getAttribute('lang'), params.UserLanguage ? 'en' : null, 'read out in its own language');
    assert.equal(await shop.frame.locator('[data-product]').count(), 0);
    await shop.context.close();
  }
});

test('a cold launch downloads at most 120 KB: the page, its loader, the wasm and the styles', async (t) => {
  const context = await stack.browser.newContext();
  const loaded = new Set();
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === stack.store && (url.pathname === '/' || /\.(js|wasm|css)$/.test(url.pathname))) loaded.add(r.url());
  });
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  await page.click('#open');
  await page.frameLocator('#service').locator('[data-product] button.add').first().waitFor();
  await context.close();
  // Bytes on the wire as the server sends them to a browser that accepts brotli.
  const sizes = await Promise.all([...loaded].map((url) => new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': 'br' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => resolve([new URL(url).pathname, res.headers['content-encoding'], bytes]));
    }).on('error', reject);
  })));
  const total = sizes.reduce((sum, [, , bytes]) => sum + bytes, 0);
  t.diagnostic(sizes.map(([path, enc, bytes]) => `${path} ${enc} ${bytes} B`).join(', ') + `; total ${total} B`);
  assert.deepEqual(sizes.map(([path]) => path.split('.').pop()).sort(), ['/', 'css', 'js', 'wasm'], 'one page, loader, wasm and style sheet');
  assert.ok(sizes.every(([, enc]) => enc === 'br'), 'every one brotli-compressed');
  assert.ok(total <= 120_000, `a cold launch downloads ${total} B, more than 120 KB`);
});

test('no secret, apiClaim or session token reaches a log line', async () => {
  const { context, page, frame } = await openService(stack, {});
  await frame.locator('#customer-name').waitFor();
  const apiClaim = await page.locator('#apiClaim').inputValue();
  const token = await frame.locator('body').evaluate(async () => {
    const res = await fetch('/api/launch', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: location.search.slice(1) });
    // The answer is postcard; its first field is the token: a varint length, then UTF-8.
    const bytes = new Uint8Array(await res.arrayBuffer());
    let len = 0, shift = 0, i = 0;
    for (;;) { const b = bytes[i++]; len |= (b & 0x7f) << shift; if (!(b & 0x80)) break; shift += 7; }
    return new TextDecoder().decode(bytes.slice(i, i + len));
  });
  assert.ok(token && apiClaim);
  await frame.locator('#refresh').click();
  await page.locator('#messages tr.message').first().waitFor();
  const logs = stack.logs.join('');
  assert.match(logs, /launch verified/);
  for (const secret of [SECRET, apiClaim, token]) assert.ok(!logs.includes(secret), `log leaks ${secret.slice(0, 8)}…`);
  await context.close();
});

test('refresh messages reach enterprise signed and addressed to its origin only', async () => {
  const { context, page, frame } = await openService(stack, {}, 'valid', { recordTargets: true });
  await frame.locator('#refresh').click();
  await page.locator('#messages tr.message').first().waitFor();
  const [msg] = await messages(page);
  assert.equal(msg.kind, 'refreshParent');
  assert.equal(msg.valid, true, `simulator verified the signature: ${msg.reason}`);
  assert.equal(msg.origin, stack.store);
  assert.equal(await page.locator('#refresh-count').textContent(), '1');
  // Addressed to the framing origin exactly, never to `*`.
  assert.deepEqual(await postedTargets(stack, page), [stack.sim]);
  await frame.locator('#refresh-close').click();
  await page.locator('#closed').waitFor({ state: 'visible' });
  const all = await messages(page);
  assert.equal(all[1].kind, 'refreshParentAndClose');
  assert.equal(all[1].valid, true);
  await context.close();
});

test('an expired session asks the user to reopen the service', async () => {
  const short = await startStack({ MARKTSTAND_SESSION_TTL_SECS: '2' });
  try {
    // The shop's first screen needs no request of its own, so the token comes from the launch.
    let launched;
    const beforeOpen = (page) => { launched = page.waitForResponse((r) => r.url() === `${short.store}/api/launch`); };
    const { context, frame } = await openService(short, {}, 'valid', { beforeOpen });
    await frame.locator('#customer-name').waitFor();
    const authorization = `Bearer ${await launchToken(await launched)}`;
    // Wait until the server itself refuses the storefront's session as expired, not for a guessed time.
    await eventually('the session to expire', async () => {
      const answer = await fetch(`${short.store}/api/catalogue`, { method: 'POST', headers: { authorization } });
      return answer.status === 401 && (await answer.text()).includes('session_expired');
    });
    await frame.locator('#refresh').click();
    const problem = frame.locator('[data-problem]');
    await problem.waitFor();
    assert.equal(await problem.getAttribute('data-problem'), 'session');
    assert.equal(await problem.locator('p').first().textContent(), 'Bitte öffnen Sie den Dienst erneut aus onOffice enterprise.');
    await context.close();
  } finally {
    await short.stop();
  }
});

test('a service registered under a path works there: shop, payment, result and back office', async () => {
  // As a provider registered https://host/mp/shop/ behind a proxy that forwards the prefix.
  const sub = await startStack({}, { prefix: '/mp/shop' });
  try {
    const requested = [];
    const shop = await openService(sub, {}, 'valid', {
      beforeOpen: (page) => page.context().on('request', (r) => requested.push(new URL(r.url()))),
    });
    await shop.frame.locator('[data-product="expose-text"] button.add').click();
    await shop.frame.locator('#order').click();
    await shop.page.locator('#payment').waitFor({ state: 'visible' });
    await shop.page.click('#pay-confirm');
    const result = shop.frame.locator('#result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-status'), 'success');
    const ours = requested.filter((u) => u.origin === sub.storeOrigin);
    assert.ok(ours.length > 3, ours.map(String).join(' '));
    assert.deepEqual(ours.filter((u) => !u.pathname.startsWith('/mp/shop/')).map(String), [], 'nothing asked at the host\'s root');
    const admin = await signIn(sub, shop.context);
    await admin.locator('#orders').waitFor();
    await shop.context.close();
  } finally {
    await sub.stop();
  }
});
