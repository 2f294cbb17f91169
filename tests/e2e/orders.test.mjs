// Buying in the storefront through enterprise's payment popup (played by the simulator):
// signed orders, the verified callback, the result view, and the parent-window messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, openService, messages, plain, storedOrders } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

async function addToCart(frame, productId, times = 1) {
  for (let i = 0; i < times; i++) await frame.locator(`[data-product="${productId}"] button.add`).click();
}

async function pay(page, button) {
  await page.locator('#payment').waitFor({ state: 'visible' });
  await page.click(button);
}

async function orderMessages(page) {
  return (await messages(page)).filter((m) => m.kind === 'order');
}

test('a full purchase in German ends in thank-you, refresh and close', async () => {
  const { context, page, frame } = await openService(stack, { estateid: '815', UserLanguage: 'DEU', imageIds: '5,9' });
  await addToCart(frame, 'floor-plan-2d');
  await addToCart(frame, 'energy-certificate', 2);
  assert.equal(plain(await frame.locator('[data-product="floor-plan-2d"] .price').textContent()), '49,00 €');
  assert.equal(plain(await frame.locator('#cart-total').textContent()), '60,00 €');
  assert.match(await frame.locator('#order-images').textContent(), /5, 9/);
  await frame.locator('#order').click();
  await frame.locator('.order-status.waiting').waitFor();
  const [order] = await orderMessages(page);
  assert.equal(order.valid, true, order.reason);
  assert.equal(order.origin, stack.store);
  const sent = JSON.parse(order.data);
  assert.equal(sent.totalprice, '60.00');
  assert.deepEqual(sent.products.map((p) => [p.name, p.price, p.quantity]), [['2D-Grundriss', '49.00', 1], ['Energieausweis (Verbrauch)', '5.50', 2]]);
  assert.match(await page.locator('#payment').textContent(), /60\.00/);
  await pay(page, '#pay-confirm');
  const result = frame.locator('#result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-status'), 'success');
  assert.equal(await result.locator('h1').textContent(), 'Vielen Dank für Ihre Bestellung!');
  assert.ok((await frame.locator('#reference').textContent()).length > 0);
  const [row] = (await storedOrders(stack)).filter((o) => o.id === sent.callbackurl.split('order=')[1]);
  assert.equal(row.status, 'success');
  assert.equal(row.total_cents, 6000);
  await frame.locator('#refresh').click();
  await page.waitForFunction(() => window.simulatorMessages.some((m) => m.kind === 'refreshParent'));
  await frame.locator('#close').click();
  await page.locator('#closed').waitFor({ state: 'visible' });
  const hostMessages = (await messages(page)).filter((m) => m.kind !== 'order');
  assert.deepEqual(hostMessages.map((m) => [m.kind, m.valid, m.origin]), [
    ['refreshParent', true, stack.store], ['closeProviderWindow', true, stack.store]]);
  await context.close();
});

test('a purchase in English shows English prices and texts', async () => {
  const { context, page, frame } = await openService(stack, { estateid: '7', UserLanguage: 'ENG' });
  await addToCart(frame, 'energy-certificate', 2);
  assert.equal(plain(await frame.locator('#cart-total').textContent()), '€11.00');
  assert.equal(await frame.locator('#order').textContent(), 'Place order');
  await frame.locator('#order').click();
  await pay(page, '#pay-confirm');
  await frame.locator('#result').waitFor();
  assert.equal(await frame.locator('#result h1').textContent(), 'Thank you for your order!');
  const [order] = await orderMessages(page);
  assert.equal(JSON.parse(order.data).products[0].name, 'Energy certificate (consumption)');
  await context.close();
});

test('a subscription goes through the payment popup as an abo', async () => {
  const { context, page, frame } = await openService(stack, {});
  await frame.locator('[data-subscription="valuation-abo"] button.subscribe').click();
  await pay(page, '#pay-confirm');
  await frame.locator('#result').waitFor();
  assert.equal(await frame.locator('#result h1').textContent(), 'Vielen Dank für Ihr Abonnement!');
  const [order] = await orderMessages(page);
  const abo = JSON.parse(order.data).abo;
  assert.deepEqual([abo.durationinmonth, abo.monthlycosts, abo.circleofusers], ['12', '34.98', 'customer']);
  assert.match(await frame.locator('#result').textContent(), /Abo-Nummer/);
  await context.close();
});

test('cancelling the payment shows the error view and records the error', async () => {
  const { context, page, frame } = await openService(stack, {});
  await addToCart(frame, 'expose-text');
  await frame.locator('#order').click();
  await pay(page, '#pay-cancel');
  await frame.locator('#result').waitFor();
  assert.equal(await frame.locator('#result').getAttribute('data-status'), 'error');
  assert.equal(await frame.locator('#result h1').textContent(), 'Die Zahlung wurde nicht abgeschlossen.');
  assert.equal(await frame.locator('#host-message').textContent(), 'Zahlung abgebrochen');
  await context.close();
});

test('SEPA leaves the order in process', async () => {
  const { context, page, frame } = await openService(stack, {});
  await addToCart(frame, 'expose-text');
  await frame.locator('#order').click();
  await pay(page, '#pay-sepa');
  await frame.locator('#result').waitFor();
  assert.equal(await frame.locator('#result').getAttribute('data-status'), 'inprocess');
  const id = await frame.locator('#result').getAttribute('data-order');
  const row = (await storedOrders(stack)).find((o) => o.id === id);
  assert.equal(row.status, 'inprocess');
  await context.close();
});

test('a double click makes one order', async () => {
  const before = (await storedOrders(stack)).length;
  const { context, page, frame } = await openService(stack, {});
  await addToCart(frame, 'expose-text');
  const sent = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/create_order')) sent.push(r); });
  await frame.locator('#order').dblclick();
  // Both clicks are handled before the first answer arrives, so by the time the storefront
  // waits for payment every request it would send has been sent.
  await frame.locator('.order-status.waiting').waitFor();
  assert.equal(sent.length, 1, 'the second click sends nothing');
  // The simulator records a message once it has verified it (a request of its own); the
  // payment popup opens after that. One request sent means at most one order message.
  await page.locator('#payment').waitFor({ state: 'visible' });
  assert.equal((await orderMessages(page)).length, 1);
  assert.equal((await storedOrders(stack)).length, before + 1);
  await context.close();
});

test('a tampered callback is refused and changes nothing', async () => {
  const { context, page, frame } = await openService(stack, {});
  await addToCart(frame, 'expose-text');
  await frame.locator('#order').click();
  await page.locator('#payment').waitFor({ state: 'visible' });
  await page.check('#tamper-callback');
  await page.click('#pay-confirm');
  const problem = frame.locator('[data-problem]');
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-problem'), 'modified');
  const [order] = await orderMessages(page);
  const id = JSON.parse(order.data).callbackurl.split('order=')[1];
  assert.equal((await storedOrders(stack)).find((o) => o.id === id).status, 'pending');
  await context.close();
});

test('a product that needs a property cannot be ordered without one', async () => {
  const { context, frame } = await openService(stack, { estateid: '' });
  const card = frame.locator('[data-product="floor-plan-2d"]');
  await card.waitFor();
  assert.equal(await card.locator('.blocked').textContent(), 'Dieser Service kann nur aus einer Immobilie aufgerufen werden.');
  assert.equal(await card.locator('button.add').isDisabled(), true);
  assert.equal(await frame.locator('[data-product="expose-text"] button.add').isDisabled(), false);
  await context.close();
});

test('opened in a new tab the storefront works but ordering points back to onOffice', async () => {
  const { context, page } = await openService(stack, { customerName: 'Tab GmbH' });
  const url = await page.locator('#launch-url').textContent();
  const tab = await context.newPage();
  await tab.goto(url);
  await tab.locator('#customer-name').waitFor();
  assert.equal(await tab.locator('#customer-name').textContent(), 'Tab GmbH');
  await tab.locator('[data-product="expose-text"] button.add').click();
  assert.equal(await tab.locator('#order').isDisabled(), true);
  assert.match(await tab.locator('#needs-host').textContent(), /onOffice enterprise/);
  assert.equal(await tab.locator('#refresh').isHidden(), true);
  await context.close();
});

test('the provider sees the orders behind the admin token', async () => {
  const { context, page } = await openService(stack, {});
  const admin = await context.newPage();
  await admin.goto(`${stack.store}/admin`);
  await admin.fill('#admin-token', 'wrong');
  await admin.click('#admin-sign-in');
  assert.equal(await admin.locator('[data-problem="sign-in"]').textContent(), 'This admin token is wrong.');
  await admin.fill('#admin-token', 'e2e-admin-token');
  await admin.click('#admin-sign-in');
  await admin.locator('#orders, #no-orders').first().waitFor();
  const rows = await admin.locator('#orders tr.order').count();
  assert.equal(rows, (await storedOrders(stack)).length);
  await context.close();
});
