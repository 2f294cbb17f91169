// When an agent *sees* the products: like ../shared/bench/measure-launch.mjs (parent page
// sets the iframe's src → …), but the clock stops when the frame showing them was painted,
// not when they entered the DOM. Work a page does before that frame (a second build, a
// layout of everything) is time the agent looks at an empty frame, which measure-launch.mjs
// does not count. Read from the browser's first contentful paint (the time it gives is the
// paint's), which is the products' frame when nothing with content was painted before the
// selector appeared; runs where something was are counted as `earlier` and measured at the
// selector instead (neither shop shows anything before its products: both should say 0).
// usage: [WARM=1] node bench/paint_launch.mjs PARENT_URL SIGN_CMD SELECTOR RUNS
// Prints {"runs","median","p90","earlier"} in milliseconds; the first run is a warm-up.
import { execSync } from 'node:child_process';
import { launchChromium } from './framed_launch.mjs';

const [parent, signCmd, selector, runs = '20'] = process.argv.slice(2);
const browser = await launchChromium();
const watch = (sel) => {
  if (window === window.top) return;
  const now = () => performance.timeOrigin + performance.now();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') window.__fcp = performance.timeOrigin + e.startTime;
  }).observe({ type: 'paint', buffered: true });
  const seen = () => { if (!window.__seen && document.querySelector(sel)) window.__seen = now(); };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, attributes: true });
  document.addEventListener('DOMContentLoaded', seen);
};
const warm = process.env.WARM === '1';
const painted = [];
let earlier = 0;
let shared = null;
for (let i = 0; i < Number(runs) + 1; i++) {
  const ctx = warm ? (shared ??= await browser.newContext()) : await browser.newContext();
  if (!warm || i === 0) await ctx.addInitScript(watch, selector);
  const page = await ctx.newPage();
  const frameUrl = execSync(signCmd).toString().trim();
  await page.goto(`${parent}?frame=${encodeURIComponent(frameUrl)}`);
  await page.frameLocator('#svc').locator(selector).first().waitFor({ state: 'attached', timeout: 30000 });
  const t0 = await page.evaluate(() => window.__t0);
  const child = page.frames().find((f) => f !== page.mainFrame());
  await child.waitForFunction(() => window.__seen && window.__fcp, null, { timeout: 30000 });
  const [seen, fcp] = await child.evaluate(() => [window.__seen, window.__fcp]);
  if (i > 0) {
    if (fcp < seen) earlier++;
    painted.push(Math.round(Math.max(fcp, seen) - t0));
  }
  if (warm) await page.close(); else await ctx.close();
}
await browser.close();
painted.sort((a, b) => a - b);
const q = (p) => painted[Math.min(painted.length - 1, Math.floor(p * painted.length))];
console.log(JSON.stringify({ runs: painted.length, median: q(0.5), p90: q(0.9), earlier }));
