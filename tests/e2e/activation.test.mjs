// What activation changes (the property named in the storefront, the customer in the back
// office) and webhooks fired by the simulator showing up as processed on the provider's
// page. Activation itself, in every engine, is in engines.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, openService, eventually, signIn, refreshAdmin } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

async function openActivation(params = {}) {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  for (const [name, value] of Object.entries(params)) await page.locator(`#${name}`).fill(value);
  await page.click('#open-activation');
  return { context, page, frame: page.frameLocator('#service') };
}

/** Activates the simulator's customer with the right key; returns the open activation. */
async function activate() {
  const activation = await openActivation();
  await activation.frame.locator('#api-key').fill('demo-secret');
  await activation.frame.locator('#consent').check();
  await activation.frame.locator('#activate').click();
  await activation.frame.locator('#active').waitFor();
  return activation;
}

test('before activation the storefront says it cannot read the property and keeps working', async () => {
  const { context, frame } = await openService(stack, { estateid: '815' });
  const notice = frame.locator('#property-notice');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('data-reason'), 'not_activated');
  assert.equal(await frame.locator('[data-product="floor-plan-2d"] button.add').isDisabled(), false);
  await context.close();
});

test('after activation the storefront names the property it was opened from; the products do not move when it arrives', async () => {
  await (await activate()).context.close();
  // The details are held back until the products are on screen, as on a slow API.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const { context, frame } = await openService(stack, { estateid: '815' }, 'valid', {
    beforeOpen: (page) => page.context().route('**/api/property_info', async (route) => { await held; await route.continue(); }),
  });
  const product = frame.locator('[data-product="floor-plan-2d"]');
  const pending = frame.locator('.property.pending');
  await pending.waitFor();
  assert.equal(await pending.getAttribute('aria-busy'), 'true');
  assert.match(await pending.textContent(), /Immobilie|property/);
  const before = await product.boundingBox();
  release();
  const title = frame.locator('#property-title');
  await title.waitFor();
  assert.equal(await pending.count(), 0);
  assert.deepEqual(await product.boundingBox(), before, 'the products stay where the agent saw them');
  assert.ok((await title.textContent()).length > 3);
  assert.match(await frame.locator('#property-number').textContent(), /815/);
  await context.close();
});

test('the back office lists the activated customer, whether its API access works, and its orders', async () => {
  const { context } = await activate();
  // The storefront reads the property with the stored credentials, then an order is placed.
  const shop = await openService(stack, { estateid: '815' });
  await shop.frame.locator('#property-title').waitFor();
  await shop.frame.locator('[data-product="expose-text"] button.add').click();
  await shop.frame.locator('#order').click();
  await shop.page.locator('#payment').waitFor({ state: 'visible' });
  await shop.context.close();

  const admin = await signIn(stack, context);
  const row = admin.locator('#customers tr.customer[data-customer="12345"]');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-api'), 'ok');
  assert.match(await row.locator('td.api').textContent(), /^(works|funktioniert) \(/);
  const count = Number(await row.locator('td.count').textContent());
  assert.ok(count >= 1);
  await row.locator('button.customer-orders').click();
  assert.equal(await admin.inputValue('#filter-search'), '12345');
  await eventually('only that customer\'s orders listed', async () => {
    const customers = await admin.locator('#orders tr.order td:nth-child(2)').allTextContents();
    return customers.length === count && customers.every((c) => c.includes('onoffice 12345'));
  });
  await context.close();
});

test('a webhook fired from enterprise shows up as processed on the provider\'s page', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  await page.fill('#estateid', '4242');
  await page.click('#fire-webhook');
  await page.locator('#webhook-result[data-status="200"]').waitFor();
  const admin = await signIn(stack, context);
  await eventually('the delivery shown as done', async () => {
    await refreshAdmin(admin);
    return (await admin.locator('#webhooks tr.delivery[data-status="done"]').count()) > 0;
  });
  assert.equal(await admin.locator('#webhooks tr.delivery[data-status="done"]').count(), 1);
  await context.close();
});

test('the market-value webhook enters its result in the property, as the process manager describes', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  await page.fill('#estateid', '4243');
  await page.fill('#webhook-service', 'market-value');
  await page.fill('#webhook-params', 'wohnflaeche=72.5');
  await page.click('#fire-webhook');
  await page.locator('#webhook-result[data-status="200"]').waitFor();
  assert.match(await page.locator('#webhook-result').textContent(), /enterprise: success/);
  await eventually('the property holds the value', async () => {
    const estates = JSON.parse(await page.locator('#estates').textContent());
    return estates['4243']?.marktwert_indikativ === 304500;
  });
  // Without a living area the user learns what to fix: onOffice e-mails this answer.
  await page.fill('#webhook-params', '');
  await page.click('#fire-webhook');
  await page.locator('#webhook-result[data-status="422"]').waitFor();
  assert.match(await page.locator('#webhook-result').textContent(), /failure: the user is e-mailed the cause \(no living area/);
  await context.close();
});
