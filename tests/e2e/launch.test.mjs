// The walking skeleton in a real browser: onOffice (the simulator) frames the storefront
// with a signed launch; tampered and stale launches are explained; no cookie is ever set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, openService, messages, SECRET } from './harness.mjs';

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
  const { context, page, frame } = await openService(stack, {});
  await frame.locator('#refresh').click();
  await page.locator('#messages tr.message').first().waitFor();
  const [msg] = await messages(page);
  assert.equal(msg.kind, 'refreshParent');
  assert.equal(msg.valid, true, `simulator verified the signature: ${msg.reason}`);
  assert.equal(msg.origin, stack.store);
  assert.equal(await page.locator('#refresh-count').textContent(), '1');
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
    const { context, frame } = await openService(short, {});
    await frame.locator('#customer-name').waitFor();
    await new Promise((r) => setTimeout(r, 2500));
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
