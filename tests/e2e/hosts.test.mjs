// The other two hosts, played by the simulator: a Kolibri24 widget framed by the simulator's
// Kolibri24 page (a request shows up for the provider; a forged call shows the 401 page), and a
// product fulfilled by a Oneflow contract, ordered and paid through onOffice, signed in Oneflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, openService, storedOrders, eventually, signIn, refreshAdmin, buyAndPay } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

async function adminOrders(context) {
  const admin = await signIn(stack, context);
  await admin.locator('#orders').waitFor();
  return admin;
}

test('a Kolibri24 widget requests a product that the provider then sees', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/kolibri24?entityId=E-77&realEstateAgencyId=A-9&entityType=RealEstate&validity=valid`);
  const widget = page.frameLocator('#widget');
  await widget.locator('#no-requests').waitFor();
  await widget.locator('[data-product="energy-certificate"] button.request').click();
  const row = widget.locator('#requests li.request');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'requested');
  // Once it went through, the next click is a new request.
  await widget.locator('[data-product="energy-certificate"] button.request').click();
  await widget.locator('#requests li.request').nth(1).waitFor();
  // Products sold per user only are not offered for a whole agency.
  assert.equal(await widget.locator('[data-product="valuation"]').count(), 0);
  assert.equal(await widget.locator('#boot').count(), 0, 'the app took the failure message\'s paragraph away');
  const stored = (await storedOrders(stack)).filter((o) => o.host === 'kolibri24');
  assert.deepEqual(stored.map((o) => [o.customer_web_id, o.estate_id, o.entity_type, o.status]),
    [['A-9', 'E-77', 'RealEstate', 'requested'], ['A-9', 'E-77', 'RealEstate', 'requested']]);
  const admin = await adminOrders(context);
  assert.equal(await admin.locator(`#orders tr.order[data-order="${stored[0].id}"]`).getAttribute('data-status'), 'requested');
  assert.deepEqual(await page.evaluate(() => document.cookie), '');
  await context.close();
});

test('when the widget\'s files cannot be loaded, its frame says so in the browser\'s language', async () => {
  // A deployment half rolled out can send a page whose hashed files a replica does not have.
  for (const [locale, missing, text] of [
    ['de-DE', '**/widget/*_bg.wasm', 'Das Widget konnte nicht geladen werden. Bitte laden Sie die Seite in Kolibri24 neu.'],
    ['en-GB', /\/widget\/marktstand-[0-9a-f]+\.js$/, 'The widget could not be loaded. Please reload the page in Kolibri24.'],
  ]) {
    const context = await stack.browser.newContext({ locale });
    await context.route(missing, (route) => route.fulfill({ status: 404, body: 'gone' }));
    const page = await context.newPage();
    await page.goto(`${stack.sim}/kolibri24?entityId=E-78&realEstateAgencyId=A-9&entityType=RealEstate&validity=valid`);
    const widget = page.frameLocator('#widget');
    await widget.locator('#boot[role=alert]').waitFor();
    assert.equal(await widget.locator('#boot').textContent(), text);
    assert.equal(await widget.locator('[data-product]').count(), 0);
    await context.close();
  }
});

test('a forged or expired widget call shows why in the frame', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  for (const validity of ['invalid', 'expired']) {
    await page.goto(`${stack.sim}/kolibri24?validity=${validity}`);
    const widget = page.frameLocator('#widget');
    await widget.locator('#reason-en').waitFor();
    assert.match(await widget.locator('#reason-en').textContent(), validity === 'expired' ? /expired/ : /did not confirm/);
    assert.match(await widget.locator('#reason-de').textContent(), /Kolibri24/);
  }
  await context.close();
});

test('a contract product paid through onOffice is signed in Oneflow and shows as signed', async () => {
  const { context } = await buyAndPay(stack, 'brokerage-agreement', { estateid: '815', UserLanguage: 'ENG' });
  const [order] = (await storedOrders(stack)).filter((o) => o.items.includes('brokerage-agreement'));
  assert.equal(order.status, 'success');

  const oneflow = await context.newPage();
  const contract = oneflow.locator('#contracts tr.contract');
  // The contract is created by the storefront's background worker after the payment.
  await eventually('the contract in Oneflow', async () => {
    await oneflow.goto(`${stack.sim}/oneflow`);
    return (await contract.count()) > 0;
  });
  assert.equal(await contract.count(), 1, 'the contract was created in Oneflow');
  assert.match(await contract.textContent(), /brokerage-agreement/);
  await contract.locator('button.forged').click();
  await oneflow.locator('#contracts tr.contract .last').filter({ hasText: 'HTTP 401' }).waitFor();
  await oneflow.locator('#contracts tr.contract button.signed').click();
  await oneflow.locator('#contracts tr.contract .last').filter({ hasText: 'signed → HTTP 200' }).waitFor();

  const admin = await adminOrders(context);
  const cell = admin.locator(`#orders tr.order[data-order="${order.id}"] td.fulfilment`);
  // The signed-contract webhook is processed in the background too.
  await eventually('the order shown as signed', async () => {
    await refreshAdmin(admin);
    return (await cell.getAttribute('data-fulfilment')) === 'signed';
  });
  // And the agent sees it among their orders when opening the service again.
  const again = await openService(stack, { estateid: '815', UserLanguage: 'ENG' });
  const mine = again.frame.locator(`#my-orders li.my-order[data-order="${order.id}"]`);
  await mine.waitFor();
  assert.equal(await mine.getAttribute('data-fulfilment'), 'signed');
  assert.match(await mine.textContent(), /signed/);
  await again.context.close();
  await context.close();
});
