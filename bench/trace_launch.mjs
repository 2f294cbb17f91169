// Where a launch's time goes: one launch traced in Chromium (as a returning user with WARM=1,
// after WARMUPS launches, default 3, that fill the HTTP and JavaScript caches; Chromium keeps
// no compiled wasm for this module, see BENCHMARKS.md), printed as the framed shop's timeline: its
// requests, the main-thread work of its renderer longer than 0.5 ms and the moment the
// selector appeared (where the timing harness stops), in ms from the moment the frame's
// document was requested. CHROMIUM=path runs another browser (a wrapper script can add V8
// flags, e.g. `--js-flags=--no-wasm-lazy-compilation`, to test an idea).
// usage: [WARM=1] node bench/trace_launch.mjs PARENT_URL SIGN_CMD SELECTOR
import { framedLaunch } from './framed_launch.mjs';

const [parent, signCmd, selector] = process.argv.slice(2);
const { browser, context, launch } = await framedLaunch(parent, signCmd, selector);
const warmups = process.env.WARM === '1' ? Number(process.env.WARMUPS || 3) : 0;
for (let i = 0; i < warmups; i++) { const first = await context.newPage(); await launch(first); await first.close(); }
const page = await context.newPage();
await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'blink', 'loading', 'toplevel', 'netlog', 'blink.user_timing'] });
const frameUrl = await launch(page);
const trace = JSON.parse((await browser.stopTracing()).toString());
await browser.close();

const events = trace.traceEvents;
// TRACE_OUT=file keeps the whole trace (chrome://tracing or Perfetto opens it).
if (process.env.TRACE_OUT) (await import('node:fs')).writeFileSync(process.env.TRACE_OUT, JSON.stringify(trace));
const origin = new URL(frameUrl).origin;
// The frame's document request: time zero.
const sent = events.filter((e) => e.name === 'ResourceSendRequest' && e.args?.data?.url?.startsWith(origin));
const zero = Math.min(...sent.map((e) => e.ts));
const urls = new Map(sent.map((e) => [e.args.data.requestId, e.args.data.url.replace(origin, '').split('?')[0] || '/']));
// The shop's renderer: the process that parsed the frame's HTML.
const pid = events.find((e) => e.name === 'ParseHTML' && e.args?.beginData?.url?.startsWith(origin))?.pid;
const main = events.find((e) => e.pid === pid && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')?.tid;
const at = (ts) => ((ts - zero) / 1000).toFixed(1).padStart(6);
const rows = [];
for (const e of events) {
  const id = e.args?.data?.requestId;
  if (id && urls.has(id) && ['ResourceSendRequest', 'ResourceReceiveResponse', 'ResourceFinish'].includes(e.name)) {
    rows.push([e.ts, `${at(e.ts)}  ${e.name.replace('Resource', '').padEnd(16)} ${urls.get(id)}`]);
  }
  if (e.name === 'selector-present' && e.pid === pid) rows.push([e.ts, `${at(e.ts)}  ${selector} present`]);
  if (e.pid === pid && e.tid === main && e.ph === 'X' && e.dur > 500 && e.ts >= zero) {
    const what = e.args?.data?.url?.replace(origin, '') || e.args?.data?.functionName || e.args?.beginData?.url?.replace(origin, '').split('?')[0] || '';
    rows.push([e.ts, `${at(e.ts)}  ${(e.dur / 1000).toFixed(1).padStart(5)} ms  ${e.name} ${what}`.trimEnd()]);
  }
}
rows.sort((a, b) => a[0] - b[0]);
console.log(rows.map(([, line]) => line).join('\n'));
