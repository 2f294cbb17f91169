// The provider's page: a sign-in that survives a reload (and nothing else kept), German or
// English; the accounting export downloads the orders of a date range as CSV in the page's
// language, and a range that cannot be right is explained beside the button; a webhook that
// failed is retried from the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, storedOrders, eventually, signIn, refreshAdmin, buyAndPay, ADMIN_TOKEN } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** One Kolibri24 request for `entity`: an order placed without payment, in one click. */
async function placeRequest(context, entity = 'E-1') {
  const page = await context.newPage();
  await page.goto(`${stack.sim}/kolibri24?entityId=${entity}&realEstateAgencyId=Agentur%20M%C3%BCller&entityType=RealEstate&validity=valid`);
  const widget = page.frameLocator('#widget');
  await widget.locator('[data-product="energy-certificate"] button.request').click();
  await widget.locator('#requests li.request').waitFor();
  await page.close();
}

test('the export downloads this month\'s orders as a German spreadsheet', async () => {
  const context = await stack.browser.newContext({ locale: 'de-DE', acceptDownloads: true });
  await placeRequest(context);
  const [order] = await storedOrders(stack);
  const admin = await signIn(stack, context);
  await admin.locator('#export').waitFor();
  // This month so far, in the browser's time zone, is the default range.
  const today = await admin.evaluate(() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()]; });
  const pad = (n) => String(n).padStart(2, '0');
  assert.equal(await admin.inputValue('#export-from'), `${today[0]}-${pad(today[1])}-01`);
  assert.equal(await admin.inputValue('#export-to'), `${today[0]}-${pad(today[1])}-${pad(today[2])}`);
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#export-download')]);
  assert.match(download.suggestedFilename(), /^orders-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], 'Bestellung;Erstellt;Host;Kunde;Kundenname;Benutzer;Produkte;Betrag;Währung;Status;Transaktion');
  assert.equal(lines.length, 2);
  const cells = lines[1].split(';');
  assert.deepEqual([cells[0], cells[2], cells[3], cells[8], cells[9]], [order.id, 'kolibri24', 'Agentur Müller', 'EUR', 'requested']);
  assert.match(cells[7], /^\d+,\d{2}$/, 'euros with a decimal comma');
  await context.close();
});

test('a range that ends before it starts is explained, and nothing downloads', async () => {
  const context = await stack.browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  const admin = await signIn(stack, context);
  await admin.locator('#export').waitFor();
  assert.equal(await admin.locator('#export h2').textContent(), 'Export for accounting (CSV)');
  let downloads = 0;
  admin.on('download', () => { downloads += 1; });
  await admin.fill('#export-from', '2026-12-01');
  await admin.fill('#export-to', '2026-11-01');
  await admin.click('#export-download');
  await admin.locator('#export-problem').waitFor();
  assert.match(await admin.locator('#export-problem').textContent(), /starts \(2026-12-01\) after it ends \(2026-11-01\)/);
  assert.equal(downloads, 0);
  await context.close();
});

test('the overview shows the orders placed today in its figures and in the chart', async () => {
  const context = await stack.browser.newContext({ locale: 'en-GB' });
  await placeRequest(context, 'E-2');
  await placeRequest(context, 'E-3');
  const stored = await storedOrders(stack);
  const sold = stored.filter((o) => ['success', 'requested'].includes(o.status)).reduce((sum, o) => sum + o.total_cents, 0);
  assert.ok(sold > 0);
  const admin = await signIn(stack, context);
  const today = admin.locator('#overview #today');
  assert.equal(await today.getAttribute('data-orders'), String(stored.length));
  assert.equal(await today.getAttribute('data-revenue'), String(sold));
  assert.match(await today.locator('.revenue').textContent(), /^€\d/);
  const date = await admin.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const bars = admin.locator('#sales-chart g.day');
  assert.equal(await bars.count(), 30);
  const bar = bars.last();
  assert.equal(await bar.getAttribute('data-date'), date, 'the last day is today, in the browser\'s time zone');
  assert.equal(await bar.getAttribute('data-orders'), String(stored.length));
  assert.equal(await bar.getAttribute('data-revenue'), String(sold));
  assert.equal(await bar.locator('rect.bar.host-kolibri24').count(), 1, 'the revenue is drawn, by host');
  assert.match(await bar.locator('title').textContent(), new RegExp(`^${date}: €`));
  assert.match(await admin.locator('figure.chart ul.legend').textContent(), /Kolibri24/);
  assert.equal(await admin.locator('#overview ul.by-status li[data-status="requested"] strong').textContent(),
    String(stored.filter((o) => o.status === 'requested').length));
  await context.close();
});

test('filter and search find an order, and its timeline shows a refused callback with the reason', async () => {
  await (await buyAndPay(stack, 'expose-text', { estateid: '815' })).context.close();
  const [order] = (await storedOrders(stack)).filter((o) => o.host === 'onoffice');
  // Someone sends a callback for it with a made-up signature: refused, nothing changes.
  const forged = await fetch(`${stack.store}/orders/callback?order=${order.id}&status=error&timestamp=${Math.floor(Date.now() / 1000)}&signature=${'0'.repeat(64)}`);
  assert.equal(forged.status, 401);

  const context = await stack.browser.newContext({ locale: 'de-DE' });
  const admin = await signIn(stack, context);
  const rows = admin.locator('#orders tr.order');
  assert.ok(await rows.count() > 1, 'the Kolibri24 requests are listed too');
  await admin.selectOption('#filter-status', 'success');
  await admin.click('#filter-apply');
  await admin.locator('#orders tr.order:not([data-status="success"])').first().waitFor({ state: 'detached' });
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.order)), [order.id]);
  // Searching by part of the customer's name, in another case, among all statuses.
  await admin.selectOption('#filter-status', '');
  await admin.fill('#filter-search', 'MUSTERFIRMA');
  await admin.press('#filter-search', 'Enter');
  await eventually('only the onOffice order listed', async () =>
    (await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.order))).join() === order.id);
  await admin.fill('#filter-search', 'niemand');
  await admin.click('#filter-apply');
  assert.equal(await admin.locator('#no-orders').textContent(), 'Keine Bestellung passt zu diesem Filter.');
  await admin.fill('#filter-search', '');
  await admin.fill('#filter-from', '2026-12-01');
  await admin.fill('#filter-to', '2026-11-01');
  await admin.click('#filter-apply');
  assert.match(await admin.locator('#filter-problem').textContent(), /starts \(2026-12-01\) after it ends \(2026-11-01\)/);
  await admin.click('#filter-clear');
  await eventually('every order listed again', async () => (await rows.count()) > 1);

  await admin.locator(`#orders tr.order[data-order="${order.id}"] button.open-order`).click();
  const detail = admin.locator(`#order-detail[data-order="${order.id}"]`);
  await detail.waitFor();
  const kinds = await detail.locator('ol.timeline li').evaluateAll((lis) => lis.map((li) => li.dataset.outcome ?? li.dataset.kind));
  assert.deepEqual(kinds.filter((k) => k !== 'created' && k !== 'status').sort(), ['applied', 'refused']);
  assert.equal(kinds[0], 'created');
  assert.match(await detail.locator('li[data-outcome="refused"]').textContent(), /abgelehnt: signature_mismatch/);
  assert.match(await detail.locator('li[data-kind="status"]').textContent(), /^.+ · Status: offen → bezahlt \(TX-/);
  assert.match(await detail.locator('dl.origin').textContent(), /Musterfirma/);
  await detail.locator('#order-detail-close').click();
  await detail.waitFor({ state: 'detached' });
  await context.close();
});

test('when the back office\'s files cannot be loaded, the page says so in the language chosen', async () => {
  for (const [chosen, missing, text] of [
    [null, '**/back-office/*_bg.wasm', 'The page could not be loaded. Please reload it.'],
    ['de', /\/back-office\/marktstand-[0-9a-f]+\.js$/, 'Die Seite konnte nicht geladen werden. Bitte laden Sie sie neu.'],
  ]) {
    const context = await stack.browser.newContext({ locale: 'en-GB' });
    // The language switched to earlier in this tab wins over the browser's.
    if (chosen) await context.addInitScript((lang) => sessionStorage.setItem('marktstand.back-office.lang', lang), chosen);
    await context.route(missing, (route) => route.fulfill({ status: 404, body: 'gone' }));
    const page = await context.newPage();
    await page.goto(`${stack.store}/admin`);
    await page.locator('#boot[role=alert]').waitFor();
    assert.equal(await page.locator('#boot').textContent(), text);
    assert.equal(await page.locator('#boot').getAttribute('lang'), chosen ? null : 'en');
    assert.equal(await page.locator('#admin-token').count(), 0);
    await context.close();
  }
});

test('the sign-in survives a reload, keeps no admin token, switches language and signs out', async () => {
  const context = await stack.browser.newContext({ locale: 'de-DE' });
  const admin = await signIn(stack, context);
  assert.equal(await admin.locator('h1').textContent(), 'Back Office');
  assert.equal(await admin.locator('#boot').count(), 0, 'the app took the failure message\'s paragraph away');
  // What the tab keeps is a sealed sign-in, not the admin token; no cookie, nothing lasting.
  const kept = await admin.evaluate(() => ({ ...sessionStorage }));
  assert.deepEqual(Object.keys(kept), ['marktstand.back-office.sign-in']);
  assert.ok(!JSON.stringify(kept).includes(ADMIN_TOKEN));
  assert.equal(await admin.evaluate(() => localStorage.length), 0);
  assert.deepEqual(await context.cookies(), []);
  assert.ok(!stack.logs.join('\n').includes(kept['marktstand.back-office.sign-in']), 'the sign-in is in no log line');

  await admin.reload();
  await admin.locator('#orders, #no-orders').first().waitFor();
  assert.equal(await admin.locator('#admin-token').count(), 0, 'still signed in after a reload');

  await admin.click('#admin-language');
  await admin.locator('h1', { hasText: 'Back office' }).waitFor();
  assert.equal(await admin.locator('#admin-refresh').textContent(), 'Refresh');
  assert.equal(await admin.getAttribute('html', 'lang'), 'en');
  await admin.reload();
  await admin.locator('#admin-refresh', { hasText: 'Refresh' }).waitFor();

  await admin.click('#admin-sign-out');
  await admin.locator('#admin-token').waitFor();
  assert.equal(await admin.evaluate(() => sessionStorage.getItem('marktstand.back-office.sign-in')), null);
  await admin.reload();
  await admin.locator('#admin-token').waitFor();
  assert.equal(await admin.locator('#orders').count(), 0);

  // A sign-in the server no longer accepts sends the provider back to the form, saying why.
  await admin.evaluate(() => sessionStorage.setItem('marktstand.back-office.sign-in', 'not-a-sign-in'));
  await admin.reload();
  assert.equal(await admin.locator('#signed-out').textContent(), 'Your sign-in has expired or is no longer valid. Please sign in again.');
  assert.equal(await admin.evaluate(() => sessionStorage.getItem('marktstand.back-office.sign-in')), null);
  await context.close();
});

test('a contract that failed while Oneflow was down is retried from the page, once, and then done', async () => {
  // One attempt only: the delivery stays failed until the provider retries it.
  const dir = mkdtempSync(join(tmpdir(), 'marktstand-e2e-config-'));
  const config = join(dir, 'webhooks.toml');
  writeFileSync(config, `max_attempts = 1\n${readFileSync(new URL('../../webhooks.toml', import.meta.url), 'utf8')}`);
  const own = await startStack({ MARKTSTAND_WEBHOOKS: config });
  try {
    const context = await own.browser.newContext({ locale: 'en-GB' });
    const oneflow = await context.newPage();
    await oneflow.goto(`${own.sim}/oneflow`);
    await oneflow.click('#outage-start');
    await oneflow.locator('#availability[data-down="true"]').waitFor();

    await (await buyAndPay(own, 'brokerage-agreement', { estateid: '815', UserLanguage: 'ENG' })).context.close();

    const admin = await signIn(own, context);
    const failed = admin.locator('#webhooks tr.delivery[data-status="failed"]');
    await eventually('the contract delivery shown as failed', async () => {
      await refreshAdmin(admin);
      return (await failed.count()) === 1;
    });
    assert.match(await failed.locator('td.error').textContent(), /HTTP 503/);
    assert.equal(await failed.locator('td.status').textContent(), 'failed');
    const id = await failed.getAttribute('data-delivery');
    const outcomes = () => admin.locator(`tr.history[data-delivery="${id}"] li.attempt`)
      .evaluateAll((items) => items.map((li) => li.dataset.outcome));
    assert.deepEqual(await outcomes(), ['failed']);

    // Narrowed to what failed, and back.
    await admin.selectOption('#delivery-status', 'failed');
    await admin.click('#delivery-apply');
    await eventually('only failed deliveries listed', async () =>
      (await admin.locator('#webhooks tr.delivery').evaluateAll((trs) => trs.map((tr) => tr.dataset.status))).join() === 'failed');
    await admin.locator('#admin-refresh:not([disabled])').waitFor();

    // Narrowed again while the answer to the first filter is slow: that late answer neither
    // replaces the newer list nor undoes what the provider picked in the form.
    let late;
    await admin.route('**/api/admin_webhooks', async (route) => {
      if (late) return route.continue();
      late = route.request();
      await new Promise((done) => setTimeout(done, 1500));
      return route.continue();
    });
    await admin.click('#delivery-apply');
    await admin.selectOption('#delivery-host', 'kolibri24');
    await admin.click('#delivery-apply');
    await admin.locator('#no-deliveries').waitFor();
    await (await late.response()).finished();
    await admin.evaluate(() => new Promise((done) => setTimeout(done, 100)));
    assert.equal(await admin.locator('#no-deliveries').count(), 1, 'the late answer to the older filter is not shown');
    assert.equal(await admin.locator('#webhooks tr.delivery').count(), 0);
    assert.equal(await admin.inputValue('#delivery-host'), 'kolibri24');
    assert.equal(await admin.inputValue('#delivery-status'), 'failed');
    await admin.unroute('**/api/admin_webhooks');

    await admin.click('#delivery-clear');
    assert.equal(await admin.inputValue('#delivery-host'), '', 'clear empties the form too');
    assert.equal(await admin.inputValue('#delivery-status'), '');
    await admin.locator('#webhooks tr.delivery[data-status="done"], #webhooks tr.delivery').first().waitFor();
    await oneflow.click('#outage-end');
    await oneflow.locator('#availability[data-down="false"]').waitFor();
    await failed.locator('button.retry').click();
    const row = admin.locator(`#webhooks tr.delivery[data-delivery="${id}"]`);
    await eventually('the retried delivery shown as done', async () => {
      await refreshAdmin(admin);
      return (await row.getAttribute('data-status')) === 'done';
    });
    assert.equal(await row.getAttribute('data-round'), '1', 'done in the round the button started');
    assert.deepEqual(await outcomes(), ['failed', 'done']);
    const history = admin.locator(`tr.history[data-delivery="${id}"]`);
    await history.locator('summary').click();
    assert.match(await history.locator('p.retried').textContent(), /^Queued again .+ by 127\.0\.0\.1$/);
    await oneflow.goto(`${own.sim}/oneflow`);
    assert.equal(await oneflow.locator('#contracts tr.contract').count(), 1, 'one contract, created by the retry');
    await context.close();
  } finally {
    await own.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
