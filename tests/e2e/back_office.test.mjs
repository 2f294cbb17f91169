// The provider's page: the accounting export downloads the orders of a date range as CSV in
// the page's language, and a range that cannot be right is explained beside the button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, storedOrders, ADMIN_TOKEN } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** One Kolibri24 request: an order placed without payment, in one click. */
async function placeRequest(context) {
  const page = await context.newPage();
  await page.goto(`${stack.sim}/kolibri24?entityId=E-1&realEstateAgencyId=Agentur%20M%C3%BCller&entityType=RealEstate&validity=valid`);
  const widget = page.frameLocator('#widget');
  await widget.locator('[data-product="energy-certificate"] button.request').click();
  await widget.locator('#requests li.request').waitFor();
  await page.close();
}

test('the export downloads this month\'s orders as a German spreadsheet', async () => {
  const context = await stack.browser.newContext({ locale: 'de-DE', acceptDownloads: true });
  await placeRequest(context);
  const [order] = await storedOrders(stack);
  const admin = await context.newPage();
  await admin.goto(`${stack.store}/admin`);
  await admin.fill('#admin-token', ADMIN_TOKEN);
  await admin.click('#admin-show');
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
  const admin = await context.newPage();
  await admin.goto(`${stack.store}/admin`);
  await admin.fill('#admin-token', ADMIN_TOKEN);
  await admin.click('#admin-show');
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
