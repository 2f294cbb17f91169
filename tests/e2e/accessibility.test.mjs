// Accessibility in Chromium: axe-core finds no violation (of any impact) in any view of
// ours (storefront, result, problem, new tab, activation, widget, back office); a product is
// bought with the keyboard alone; changes of state are announced through live regions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import axe from 'axe-core';
import { startStack, openService, storeFrame, ADMIN_TOKEN } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** Runs axe-core in `target` (a page or frame of ours) and fails on any violation, the
 * serious and critical ones first, naming rule and elements. axe is evaluated, not injected
 * as a script tag, so the page's own Content-Security-Policy stays as it is. */
async function audit(target, view) {
  if (!await target.evaluate(() => 'axe' in window)) await target.evaluate(axe.source);
  const { violations } = await target.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(grave.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [],
    `${view}: ${grave.map((v) => v.help).join('; ')}`);
  // The lesser ones (moderate, minor) were mended too; keep it so.
  assert.deepEqual(violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], view);
}

test('every storefront and result view passes axe-core without a violation', async () => {
  const { context, page, frame } = await openService(stack, { estateid: '815', imageIds: '5,9' });
  await frame.locator('#customer-name').waitFor();
  await audit(storeFrame(stack, page), 'catalogue');
  await frame.locator('[data-product="floor-plan-2d"] button.add').click();
  await frame.locator('[data-product="energy-certificate"] button.add').click();
  await audit(storeFrame(stack, page), 'catalogue with a cart');
  await frame.locator('#order').click();
  await frame.locator('.order-status.waiting').waitFor();
  await audit(storeFrame(stack, page), 'waiting for payment');
  await page.locator('#payment').waitFor({ state: 'visible' });
  await page.click('#pay-confirm');
  await frame.locator('#result[data-status="success"]').waitFor();
  await audit(storeFrame(stack, page), 'thank-you');
  await context.close();

  const cancelled = await openService(stack, { UserLanguage: 'ENG' });
  await cancelled.frame.locator('[data-product="expose-text"] button.add').click();
  await cancelled.frame.locator('#order').click();
  await cancelled.page.locator('#payment').waitFor({ state: 'visible' });
  await cancelled.page.click('#pay-cancel');
  await cancelled.frame.locator('#result[data-status="error"]').waitFor();
  await audit(storeFrame(stack, cancelled.page), 'payment not completed');
  await cancelled.context.close();

  for (const mode of ['tampered', 'stale']) {
    const problem = await openService(stack, {}, mode);
    await problem.frame.locator('[data-problem]').waitFor();
    await audit(storeFrame(stack, problem.page), `${mode} launch`);
    await problem.context.close();
  }

  const opened = await openService(stack, { customerName: 'Tab GmbH' });
  const tab = await opened.context.newPage();
  await tab.goto(await opened.page.locator('#launch-url').textContent());
  await tab.locator('#customer-name').waitFor();
  await audit(tab, 'opened in a new tab');
  await opened.context.close();
});

test('activation, the Kolibri24 widget and the back office pass axe-core without a violation', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  await page.click('#open-activation');
  const activation = page.frameLocator('#service');
  await activation.locator('#api-key').waitFor();
  await audit(storeFrame(stack, page), 'activation form');
  await activation.locator('#api-key').fill('not-the-key');
  await activation.locator('#consent').check();
  await activation.locator('#activate').click();
  await activation.locator('#activation-error').waitFor();
  await audit(storeFrame(stack, page), 'activation refused');
  await activation.locator('#api-key').fill('demo-secret');
  await activation.locator('#activate').click();
  await activation.locator('#active').waitFor();
  await audit(storeFrame(stack, page), 'activation done');

  for (const validity of ['valid', 'invalid']) {
    await page.goto(`${stack.sim}/kolibri24?entityId=E-5&realEstateAgencyId=A-1&entityType=RealEstate&validity=${validity}`);
    const widget = page.frameLocator('#widget');
    await widget.locator(validity === 'valid' ? '#no-requests' : '#reason-en').waitFor();
    if (validity === 'valid') {
      await widget.locator('[data-product="energy-certificate"] button.request').click();
      await widget.locator('#requests li.request').waitFor();
    }
    await audit(storeFrame(stack, page), `Kolibri24 widget (${validity})`);
  }

  const admin = await context.newPage();
  await admin.goto(`${stack.store}/admin`);
  await admin.locator('#admin-token').waitFor();
  await audit(admin, 'back-office sign-in');
  await admin.fill('#admin-token', 'wrong');
  await admin.click('#admin-sign-in');
  await admin.locator('[data-problem="sign-in"]').waitFor();
  await audit(admin, 'back-office sign-in refused');
  await admin.fill('#admin-token', ADMIN_TOKEN);
  await admin.click('#admin-sign-in');
  await admin.locator('#orders').waitFor();
  await audit(admin, 'back office');
  await admin.locator('#orders tr.order button').first().click();
  await admin.locator('#order-detail').waitFor();
  await audit(admin, 'order details');
  await context.close();
});

/** Presses Tab (in `page`, whose focus may be inside a frame) until the element matching
 * `selector` in `target` has the focus; fails after `limit` presses. */
async function tabTo(page, target, selector, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((s) => document.hasFocus() && document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`${selector} was not reached with ${limit} presses of Tab`);
}

/** Whether the focused element in `target` shows that it has the focus. */
function focusShown(target) {
  return target.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  });
}

test('a product is bought with the keyboard alone, and every step is announced', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.sim}/`);
  await page.locator('#open').focus();
  await page.keyboard.press('Enter');
  await page.frameLocator('#service').locator('#customer-name').waitFor();
  const frame = storeFrame(stack, page);
  await tabTo(page, frame, '[data-product="expose-text"] button.add');
  assert.ok(await focusShown(frame), 'the focused button shows its focus');
  await page.keyboard.press('Enter');
  // The live region is there, empty, before anything happens: screen readers announce changes.
  assert.equal(await frame.locator('.checkout-status [role="status"]').textContent(), '');
  await tabTo(page, frame, '#order');
  await page.keyboard.press('Enter');
  const waiting = frame.locator('.checkout-status [role="status"] .order-status.waiting');
  await waiting.waitFor();
  await page.locator('#payment').waitFor({ state: 'visible' });
  await tabTo(page, page.mainFrame(), '#pay-confirm');
  await page.keyboard.press('Enter');
  const result = frame.locator('#result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-status'), 'success');
  // The result takes the focus, so a screen reader reads it and Tab goes on from there.
  assert.equal(await frame.evaluate(() => document.activeElement?.closest('#result') !== null), true);
  await tabTo(page, frame, '#close');
  await page.keyboard.press('Enter');
  await page.locator('#closed').waitFor({ state: 'visible' });
  await context.close();
});

test('loading and problems are announced as status and alert', async () => {
  // While the launch is being verified (held back here until the text was seen), the page
  // says so in a live region.
  let release;
  const held = new Promise((r) => { release = r; });
  const slow = await openService(stack, {}, 'valid', {
    beforeOpen: (page) => page.context().route(`${stack.store}/api/launch`, async (route) => { await held; await route.continue(); }),
  });
  const opening = slow.frame.locator('p.loading');
  await opening.waitFor();
  assert.deepEqual([await opening.getAttribute('role'), await opening.textContent()], ['status', 'Dienst wird geöffnet …']);
  release();
  await slow.frame.locator('#customer-name').waitFor();
  assert.equal(await slow.frame.locator('p.loading').count(), 0, 'the notice goes when the shop shows');
  await slow.context.close();
  // The same notice in English when enterprise opens the service in English.
  const never = new Promise(() => {});
  const english = await openService(stack, { UserLanguage: 'ENG' }, 'valid', {
    beforeOpen: (page) => page.context().route(`${stack.store}/api/launch`, async () => { await never; }),
  });
  const notice = english.frame.locator('p.loading[role=status]');
  await notice.waitFor();
  assert.equal(await notice.textContent(), 'Opening the service …');
  await english.context.close();

  const { context, frame } = await openService(stack, {}, 'tampered');
  assert.equal(await frame.locator('[data-problem]').getAttribute('role'), 'alert');
  await context.close();
  const shop = await openService(stack, {});
  await shop.frame.locator('#refresh').click();
  const status = shop.frame.locator('#host-status');
  await shop.frame.locator('#host-status:not(:empty)').waitFor();
  assert.equal(await status.getAttribute('role'), 'status');
  await shop.context.close();
});
