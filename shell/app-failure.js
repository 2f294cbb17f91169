// Says so when the app's files cannot be loaded: the loader's `appfailed` (Trunk.toml), or
// `error` at a missing loader's script. Inlined by Trunk (`rel="inline"`) into the Kolibri24
// widget's and the back office's pages, before their loader; each page's `#boot` paragraph
// holds its text in both languages. The language is the app's: the one chosen before in this
// tab (`data-lang-key`, the back office's switch), else the browser's (`Lang::from_browser`).
// The app removes the paragraph when it starts (src/lib.rs).
{
  const fail = () => {
    const boot = document.getElementById('boot');
    if (!boot || !boot.hidden) return;
    let chosen = null;
    try { chosen = boot.dataset.langKey && sessionStorage.getItem(boot.dataset.langKey); } catch {} // storage blocked in a frame
    const browser = navigator.language || '';
    const de = chosen === 'de' || (chosen !== 'en' && (browser === '' || browser.startsWith('de')));
    boot.hidden = false; // shown before its text, so the alert is announced
    if (!de) boot.lang = 'en';
    boot.textContent = de ? boot.dataset.de : boot.dataset.en;
  };
  addEventListener('appfailed', fail);
  addEventListener('error', (event) => event.target instanceof HTMLScriptElement && fail(), true);
}
