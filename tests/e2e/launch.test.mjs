// The walking skeleton in a real browser: onOffice (the simulator) frames the storefront
// with a signed launch; tampered and stale launches are explained; no cookie is ever set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, openService, messages, postedTargets, eventually, launchToken, SECRET } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

test('a signed launch shows the customer in the framed storefront', async () => {
  const { context, page, frame } = await openService(stack, { customerName: 'Musterfirma Immobilien GmbH', estateid: '815' });
  await frame.locator('#customer-name').waitFor();
  assert.equal(await frame.locator('#customer-name').textContent(), 'Musterfirma Immobilien GmbH');
  assert.match(await frame.locator('#estate-id').textContent(), /815/);
  // German by default.
  assert.equal(await frame.locator('#refresh').textContent(), 'onOffice aktualisieren');
  await context.close();
});

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

test('a tampered launch explains that the link was modified', async () => {
  const { context, frame } = await openService(stack, {}, 'tampered');
  const problem = frame.locator('[data-problem]');
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-problem'), 'modified');
  assert.equal(await problem.locator('h1').textContent(), 'Dieser Link wurde verändert');
  assert.match(await problem.textContent(), /signature_mismatch/);
  await context.close();
});

test('a stale launch explains that the link expired, in the user\'s language', async () => {
  const { context, frame } = await openService(stack, { UserLanguage: 'ENG' }, 'stale');
  const problem = frame.locator('[data-problem]');
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-problem'), 'expired');
  assert.equal(await problem.locator('h1').textContent(), 'This link has expired');
  await context.close();
});

test('after the flow the browser holds no cookie for either origin', async () => {
  const { context, page, frame } = await openService(stack, {});
  await frame.locator('#customer-name').waitFor();
  await frame.locator('#refresh').click();
  await page.locator('#messages tr.message').first().waitFor();
  const cookies = await context.cookies([stack.store, stack.sim]);
  assert.deepEqual(cookies, []);
  const stored = await frame.locator('body').evaluate(() => [document.cookie, localStorage.length, sessionStorage.length]);
  assert.deepEqual(stored, ['', 0, 0]);
  await context.close();
});

test('no secret, apiClaim or session token reaches a log line', async () => {
  const { context, page, frame } = await openService(stack, {});
  await frame.locator('#customer-name').waitFor();
  const apiClaim = await page.locator('#apiClaim').inputValue();
  const token = await frame.locator('body').evaluate(async () => {
    const res = await fetch('/api/launch', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=' + encodeURIComponent(location.search.slice(1)) });
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

test('framed by an origin that is not allowed, the storefront does not load and posts nothing', async () => {
  // The same simulator under another name is another origin, not on the allowed list.
  const other = stack.sim.replace('127.0.0.1', 'localhost');
  const launches = [];
  const context = await stack.browser.newContext();
  context.on('request', (r) => { if (r.url().startsWith(`${stack.store}/api/`)) launches.push(r.url()); });
  const page = await context.newPage();
  await page.goto(`${other}/`);
  const refused = page.waitForEvent('requestfailed', (r) => r.url().startsWith(`${stack.store}/?`));
  const explained = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
  await page.click('#open');
  // The browser refuses to render the answer in the frame: no app, no launch, no message.
  assert.equal((await refused).failure().errorText, 'net::ERR_BLOCKED_BY_RESPONSE');
  assert.match((await explained).text(), new RegExp(`frame-ancestors https://crm.onoffice.de ${stack.sim}"`));
  assert.equal(await page.frameLocator('#service').locator('#customer-name').count(), 0);
  assert.deepEqual(launches, []);
  assert.deepEqual(await messages(page), []);
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
