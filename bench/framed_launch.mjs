// What the trace scripts need: Chromium (`launchChromium`, also used by paint_launch.mjs;
// CHROMIUM=path for another one), a browser context that marks `selector-present` in the
// framed shop when the selector appears (the moment the timing harness stops its clock), and
// `launch(page)`, which opens the parent page framing a freshly signed launch URL and waits
// for the selector; it returns that URL.
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

/** Headless Chromium as the shared harness starts it (CHROMIUM=path for another build). */
export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}

export async function framedLaunch(parent, signCmd, selector) {
  const browser = await launchChromium();
  const context = await browser.newContext();
  await context.addInitScript((sel) => {
    if (window === window.top) return;
    new MutationObserver((_, o) => { if (document.querySelector(sel)) { performance.mark('selector-present'); o.disconnect(); } })
      .observe(document, { childList: true, subtree: true });
  }, selector);
  const launch = async (page) => {
    const frameUrl = execSync(signCmd).toString().trim();
    await page.goto(`${parent}?frame=${encodeURIComponent(frameUrl)}`);
    await page.frameLocator('#svc').locator(selector).first().waitFor({ state: 'attached', timeout: 30000 });
    return frameUrl;
  };
  return { browser, context, launch };
}
