// Buying in the storefront through enterprise's payment popup (played by the simulator):
// signed orders, the verified callback, the result view, and the parent-window messages.
// The German purchase, cancelling, the double click and the new tab run in every engine:
// engines.test.mjs.
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
