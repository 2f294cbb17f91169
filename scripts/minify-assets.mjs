// Minifies each bundle's JavaScript loader (wasm-bindgen's glue, ~42 KB as generated) and its
// style sheet with esbuild, and rewrites their Subresource Integrity hashes in the page that
// loads them. Trunk's own minifier cannot parse the page's module script (it warns on every
// build), and the loader is 6 KB of a first load that should stay under 120 KB: minified it
// is ~1.5 KB smaller brotli-compressed. esbuild is pinned (package-lock.json): the same input
// must give the same bytes, as a returning browser keeps a hashed name for good.
// usage: node scripts/minify-assets.mjs DIST_DIR...   (each with an index.html from Trunk)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

for (const dir of process.argv.slice(2)) {
  const pagePath = join(dir, 'index.html');
  let page = readFileSync(pagePath, 'utf8');
  // The loader the page preloads (`rel=modulepreload`) and its style sheet, by their hashed names.
  const assets = [...new Set([...page.matchAll(/href="?([^" >]+\.(js|css))"?/g)].map((m) => m[1]))];
  const kinds = assets.map((href) => href.split('.').pop()).sort().join(',');
  if (kinds !== 'css,js') throw new Error(`${pagePath}: expected one loader and one style sheet, found ${assets.join(', ')}`);
  // The loader runs as soon as it is in (an async module): in the <head> it could run before
  // the parser has made the <body> the app mounts into.
  const loaderAt = page.indexOf('<script type="module" async>');
  if (loaderAt < 0 || loaderAt < page.indexOf('<body')) {
    throw new Error(`${pagePath}: the loader must be an async module in the <body> (Trunk.toml's pattern_script, the page's rel="rust" link last in its body)`);
  }
  for (const href of assets) {
    const file = join(dir, href.split('/').pop());
    const before = readFileSync(file);
    const loader = href.endsWith('.js') ? 'js' : 'css';
    const { code } = transformSync(before.toString('utf8'), { minify: true, loader, ...(loader === 'js' ? { format: 'esm' } : {}) });
    const after = Buffer.from(code);
    const oldHash = sri(before);
    if (!page.includes(oldHash)) throw new Error(`${pagePath}: the integrity ${oldHash} of ${href} is not in the page`);
    page = page.replaceAll(oldHash, sri(after));
    writeFileSync(file, after);
    console.log(`${file}: ${before.length} → ${after.length} bytes`);
  }
  writeFileSync(pagePath, page);
}
