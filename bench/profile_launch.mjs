// Where the app's main-thread time goes in a returning agent's launch, by function: V8's
// sampling profiler over N traced warm launches (after three that fill the caches), counting
// the samples from the wasm's first call to the moment the selector appears (where the timing
// harness stops), printed as a call tree of the nodes with at least MIN samples.
// The wasm's function names are only there in a bundle that keeps them: build a copy of
// dist/ with `data-wasm-opt-params="-g"` added to index.html's `rel="rust"` link
// (`trunk build --release <that page> --dist <dir>` with scripts/wasm-env's settings, as
// scripts/build and bench/floor build) and serve it with MARKTSTAND_SITE_ROOT=<dir>.
// SELF=1 prints, instead of the tree, the functions the samples were taken in (self time), by
// count, with (wasm) or (js) for where they run and the native ones V8 names in brackets.
// usage: [N=8] [MIN=25] [SELF=1] node bench/profile_launch.mjs PARENT_URL SIGN_CMD SELECTOR
import { framedLaunch } from './framed_launch.mjs';

const [parent, signCmd, selector] = process.argv.slice(2);
const runs = Number(process.env.N || 8);
const min = Number(process.env.MIN || 25);
const { browser, context, launch } = await framedLaunch(parent, signCmd, selector);
for (let i = 0; i < 3; i++) { const page = await context.newPage(); await launch(page); await page.close(); }

const tree = { count: 0, kids: new Map() };
const leaves = new Map();
const idle = new Set(['(idle)', '(program)', '(garbage collector)']);
for (let run = 0; run < runs; run++) {
  const page = await context.newPage();
  await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'blink.user_timing', 'disabled-by-default-v8.cpu_profiler'] });
  const frameUrl = await launch(page);
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  await page.close();
  const origin = new URL(frameUrl).origin;
  const pid = events.find((e) => e.name === 'ParseHTML' && e.args?.beginData?.url?.startsWith(origin))?.pid;
  const mark = events.find((e) => e.pid === pid && e.name === 'selector-present');
  if (!mark) throw new Error('no mark: the selector never appeared in a traced launch');
  // The profile comes in chunks: nodes (a call tree) and samples with time deltas.
  const nodes = new Map();
  const samples = [];
  let t = 0;
  for (const e of events.filter((e) => e.pid === pid && (e.name === 'Profile' || e.name === 'ProfileChunk'))) {
    if (e.name === 'Profile') { t = e.args.data.startTime; continue; }
    const { cpuProfile = {}, timeDeltas = [] } = e.args.data;
    for (const node of cpuProfile.nodes ?? []) nodes.set(node.id, node);
    (cpuProfile.samples ?? []).forEach((id, i) => { t += timeDeltas[i]; samples.push([t, id]); });
  }
  const stack = (id) => { const names = []; for (let n = nodes.get(id); n; n = nodes.get(n.parent)) names.push(n.callFrame.functionName || '(anonymous)'); return names.reverse(); };
  const inWasm = (id) => { for (let n = nodes.get(id); n; n = nodes.get(n.parent)) if ((n.callFrame.url || '').includes('.wasm')) return true; return false; };
  const before = samples.filter(([ts]) => ts <= mark.ts);
  for (const [, id] of before.slice(Math.max(0, before.findIndex(([, id]) => inWasm(id))))) {
    const names = stack(id);
    if (idle.has(names.at(-1))) continue;
    const url = nodes.get(id).callFrame.url || '';
    const leaf = `${names.at(-1)} (${url.includes('.wasm') ? 'wasm' : url ? 'js' : 'native'})`;
    leaves.set(leaf, (leaves.get(leaf) || 0) + 1);
    let node = tree;
    node.count++;
    for (const name of names) {
      if (!node.kids.has(name)) node.kids.set(name, { count: 0, kids: new Map() });
      node = node.kids.get(name);
      node.count++;
    }
  }
}
await browser.close();

// Crate hashes and common paths shortened; a chain of single children stays at one depth.
const short = (name) => name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/\b(alloc|core|tachys|reactive_graph|either_of)::/g, '').slice(0, 150);
const print = (node, name, depth) => {
  console.log(`${' '.repeat(Math.min(depth, 60))}${String(node.count).padStart(5)} ${short(name)}`);
  const kids = [...node.kids].filter(([, k]) => k.count >= min).sort((a, b) => b[1].count - a[1].count);
  for (const [kidName, kid] of kids) print(kid, kidName, kids.length === 1 && kid.count === node.count ? depth : depth + 1);
};
console.log(`${tree.count} samples on the main thread (not idle) in ${runs} warm launches, from the wasm's first call to ${selector}`);
if (process.env.SELF === '1') {
  for (const [leaf, n] of [...leaves].sort((a, b) => b[1] - a[1]).filter(([, n]) => n >= min)) console.log(`${String(n).padStart(5)} ${short(leaf)}`);
} else {
  print(tree, 'all', 0);
}
