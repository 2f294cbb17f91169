// One small layer over W3C WebDriver, so that a scenario is written once and runs in every
// engine: Chromium (chromedriver), WebKit (WebKitGTK's WebKitWebDriver driving MiniBrowser
// under Xvfb) and Firefox ESR (geckodriver). Each engine blocks third-party cookies.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Builder, By } from 'selenium-webdriver';

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The first of `paths` (absolute, or a name looked up on PATH) that exists. */
function which(...paths) {
  for (const path of paths) {
    if (path.startsWith('/')) { if (existsSync(path)) return path; continue; }
    try { return execFileSync('sh', ['-c', `command -v ${path}`], { encoding: 'utf8' }).trim(); } catch { /* next */ }
  }
  return null;
}

/** The three engines: where their driver and browser live, how to install them, and the
 * capabilities that start the browser with third-party cookies blocked. */
export const ENGINES = [
  {
    name: 'chromium',
    tools: () => ({ driver: which('chromedriver'), browser: which('/usr/bin/chromium') }),
    install: 'apt-get install chromium chromium-driver',
    driverArgs: (port) => [`--port=${port}`],
    capabilities: ({ browser }) => ({
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: browser,
        // The flags the machine needs (no sandbox as root, no calls home), and third-party
        // cookies blocked as Chrome's tracking protection does.
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--test-third-party-cookie-phaseout', '--window-size=1280,900'],
      },
    }),
  },
  {
    name: 'webkit',
    tools: () => ({ driver: which('WebKitWebDriver'), browser: which(MINIBROWSER), xvfb: which('Xvfb') }),
    install: 'apt-get install webkit2gtk-driver xvfb',
    display: true,
    driverArgs: (port) => [`--port=${port}`],
    capabilities: ({ browser }) => ({
      browserName: 'MiniBrowser',
      // Intelligent Tracking Prevention on, and no third-party cookies (Safari's defaults).
      'webkitgtk:browserOptions': { binary: browser, args: ['--automation', '--enable-itp', '--cookies-policy=no-third-party'] },
    }),
  },
  {
    name: 'firefox',
    tools: () => ({ driver: which('geckodriver', join(homedir(), '.cargo/bin/geckodriver')), browser: which('/usr/bin/firefox-esr', 'firefox-esr') }),
    install: 'apt-get install firefox-esr && cargo install geckodriver',
    driverArgs: (port, { browser }) => ['--port', String(port), '--binary', browser],
    capabilities: (_, { prefs } = {}) => ({
      browserName: 'firefox',
      'moz:firefoxOptions': {
        args: ['-headless', '-width', '1280', '-height', '900'],
        // Strict Enhanced Tracking Protection, and every third-party cookie refused.
        prefs: { 'browser.contentblocking.category': 'strict', 'network.cookie.cookieBehavior': 1,
          'privacy.trackingprotection.enabled': true, 'privacy.trackingprotection.socialtracking.enabled': true, ...prefs },
      },
    }),
  },
];

/** Why `engine` cannot run here (with how to install it), or null when it can. */
export function missing(engine) {
  const tools = engine.tools();
  const absent = Object.entries(tools).filter(([, path]) => !path).map(([name]) => name);
  return absent.length ? `${engine.name}: ${absent.join(' and ')} not found; install with: ${engine.install}` : null;
}

function freePort() {
  return new Promise((ok, fail) => {
    const socket = createServer();
    socket.listen(0, '127.0.0.1', () => { const { port } = socket.address(); socket.close(() => ok(port)); });
    socket.on('error', fail);
  });
}

/** An X server of its own for engines that need a display (WebKitGTK has no headless mode):
 * Xvfb picks a free display number itself and writes it to fd 3. */
async function startXvfb(xvfb) {
  const server = spawn(xvfb, ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const display = await new Promise((ok, fail) => {
    server.stdio[3].once('data', (d) => ok(`:${String(d).trim()}`));
    server.once('exit', (code) => fail(new Error(`Xvfb exited with ${code}`)));
  });
  return { display, stop: () => server.kill() };
}

/** Starts `engine`'s WebDriver server; `newBrowser()` then opens a fresh browser (a new
 * profile: no cookies, no storage, no cache) for each scenario. */
export async function startEngine(engine) {
  const tools = engine.tools();
  const x = engine.display && !process.env.DISPLAY ? await startXvfb(tools.xvfb) : null;
  const env = { ...process.env, ...(x ? { DISPLAY: x.display } : {}) };
  const output = [];
  let driver;
  let url;
  // The port is picked, released and handed to the driver: if another process takes it in
  // between, the driver exits and we try another.
  for (let attempt = 0; attempt < 5 && !url; attempt++) {
    const port = await freePort();
    driver = spawn(tools.driver, engine.driverArgs(port, tools), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [driver.stdout, driver.stderr]) stream.on('data', (d) => { output.push(String(d)); output.splice(0, output.length - 50); });
    for (let i = 0; i < 100 && driver.exitCode === null; i++) {
      try {
        if ((await (await fetch(`http://127.0.0.1:${port}/status`)).json()).value?.ready !== undefined) { url = `http://127.0.0.1:${port}`; break; }
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (!url) throw new Error(`${engine.name}: its WebDriver server did not start:\n${output.join('')}`);
  return {
    engine,
    /** `options.prefs`: Firefox preferences for this browser only. */
    async newBrowser(options = {}) {
      // A driver that never answers would hold the whole run (seen once with WebKitWebDriver
      // under Xvfb: a scenario stalled for minutes with no browser process left). A new
      // session is asked for again, then given up; a page load fails after a minute.
      for (let attempt = 1; ; attempt++) {
        const building = new Builder().usingServer(url).withCapabilities(engine.capabilities(tools, options)).build();
        let timer;
        const late = new Promise((resolve) => { timer = setTimeout(resolve, SESSION_TIMEOUT); });
        const session = await Promise.race([building, late]).finally(() => clearTimeout(timer));
        if (session) {
          await session.manage().setTimeouts({ pageLoad: SESSION_TIMEOUT });
          const version = (await session.getCapabilities()).get('browserVersion');
          return new Browser(session, engine, version);
        }
        building.then((s) => s.quit(), () => {});
        if (attempt === 2) throw new Error(`${engine.name}: no browser session after ${SESSION_TIMEOUT} ms, twice:\n${output.join('')}`);
      }
    },
    async stop() {
      driver.kill();
      x?.stop();
    },
  };
}

/** One browser session (a fresh profile). Its views find their own tab and frame before
 * every step, so a scenario can go back and forth between a page and the frame inside it. */
export class Browser {
  constructor(session, engine, version) {
    this.session = session;
    this.engine = engine;
    this.version = version;
  }

  /** Loads `url` in the first tab; returns the tab's top document. */
  async open(url) {
    await this.session.get(url);
    return new View(this, await this.session.getWindowHandle(), []);
  }

  /** Opens `url` in a new tab, as a user pasting a link would. */
  async openTab(url) {
    await this.session.switchTo().newWindow('tab');
    await this.session.get(url);
    return new View(this, await this.session.getWindowHandle(), []);
  }

  async quit() { await this.session.quit(); }
}

const TIMEOUT = 15000;
/** How long a new browser session may take before it is asked for again. */
const SESSION_TIMEOUT = 60000;

/** A document: a tab's top document, or an iframe inside it (`frame(selector)`), with the
 * few steps the scenarios need. Steps wait for their element as a user would. */
export class View {
  constructor(browser, handle, frames) {
    this.browser = browser;
    this.session = browser.session;
    this.handle = handle;
    this.frames = frames;
  }

  /** The document of the iframe `selector` inside this one. */
  frame(selector) { return new View(this.browser, this.handle, [...this.frames, selector]); }

  /** Makes this document the driver's current one. Each iframe on the way is scrolled into
   * view: WebKitGTK's driver clicks only inside the top window's viewport. */
  async enter() {
    await this.session.switchTo().window(this.handle);
    await this.session.switchTo().defaultContent();
    for (const selector of this.frames) {
      const frame = await this.find(selector, { entered: true });
      await this.session.executeScript('arguments[0].scrollIntoView({ block: "start" })', frame);
      await this.session.switchTo().frame(frame);
    }
  }

  /** The first element matching the CSS `selector`, waiting until it exists (and, with
   * `visible`, until it is shown). */
  async find(selector, { visible = false, timeout = TIMEOUT, entered = false } = {}) {
    if (!entered) await this.enter();
    const deadline = Date.now() + timeout;
    for (;;) {
      const [element] = await this.session.findElements(By.css(selector));
      if (element && (!visible || await element.isDisplayed())) return element;
      if (Date.now() > deadline) throw new Error(`${this.browser.engine.name}: no ${visible ? 'visible ' : ''}${selector} after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitFor(selector, options) { await this.find(selector, options); }

  /** How many elements match `selector` now. */
  async count(selector) {
    await this.enter();
    return (await this.session.findElements(By.css(selector))).length;
  }

  /** The visible element `selector`, scrolled to the middle of its document (WebKitGTK's
   * driver neither clicks nor types outside the viewport). */
  async reach(selector) {
    const element = await this.find(selector, { visible: true });
    await this.session.executeScript('arguments[0].scrollIntoView({ block: "center" })', element);
    return element;
  }

  async click(selector) { await (await this.reach(selector)).click(); }

  async dblclick(selector) {
    await this.session.actions().doubleClick(await this.reach(selector)).perform();
  }

  /** Clicks into a text field, as a user does, and types `value`, replacing what it held. */
  async fill(selector, value) {
    const element = await this.reach(selector);
    await element.click();
    await element.clear();
    if (value) await element.sendKeys(value);
  }

  /** Picks the option with `value` in a `<select>`, by clicking it. */
  async select(selector, value) {
    const option = await this.find(`${selector} option[value="${value}"]`);
    await option.click();
  }

  async check(selector) {
    const element = await this.reach(selector);
    if (!await element.isSelected()) await element.click();
  }

  /** The element's `textContent` (not the rendered text, which engines lay out differently). */
  async text(selector) {
    return this.session.executeScript('return arguments[0].textContent', await this.find(selector));
  }

  async attr(selector, name) { return (await this.find(selector)).getAttribute(name); }

  async disabled(selector) { return !await (await this.find(selector)).isEnabled(); }

  async visible(selector) {
    await this.enter();
    const [element] = await this.session.findElements(By.css(selector));
    return element ? element.isDisplayed() : false;
  }

  /** Runs `fn(...args)` in this document and returns its (awaited) result. */
  async evaluate(fn, ...args) {
    await this.enter();
    return this.session.executeScript(`return (${fn}).apply(null, arguments)`, ...args);
  }

  /** Waits until `fn(...args)` is truthy in this document. */
  async waitUntil(what, fn, ...args) {
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      const value = await this.evaluate(fn, ...args);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`${this.browser.engine.name}: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The cookies the browser holds for this document's origin (WebDriver's own view). */
  async cookies() {
    await this.enter();
    return this.session.manage().getCookies();
  }
}
