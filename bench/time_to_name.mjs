// Time from the iframe's navigation to the storefront showing the customer's name, in
// headless Chromium through the simulator. Prints the median and p90 of N runs (default 20).
import { startStack } from '../tests/e2e/harness.mjs';

const runs = Number(process.argv[2] || 20);
const stack = await startStack();
const context = await stack.browser.newContext();
const page = await context.newPage();
await page.goto(`${stack.sim}/`);
const times = [];
for (let i = 0; i < runs + 1; i++) {
  const { url } = await (await fetch(`${stack.sim}/api/launch-url`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ params: { customerName: `Kunde ${i}`, customerWebId: '1', userId: '2', parameterCacheId: 'p', apiClaim: 'c' }, mode: 'valid' }),
  })).json();
  // Clock starts when the frame navigates; stops when the verified name is on screen.
  const started = Date.now();
  await page.evaluate((u) => { document.getElementById('service').src = u; }, url);
  await page.frameLocator('#service').locator('#customer-name', { hasText: `Kunde ${i}` }).waitFor();
  const elapsed = Date.now() - started;
  if (i > 0) times.push(elapsed); // the first run warms the cache
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(JSON.stringify({ runs: times.length, median_ms: q(0.5), p90_ms: q(0.9), min_ms: times[0], max_ms: times[times.length - 1] }));
await stack.stop();
