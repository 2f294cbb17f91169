// Every page's `#boot` becomes an alert if the app's files cannot be loaded, in the page's
// language (README: "If the loader or the wasm cannot be loaded").
{
  let failed = false;
  const fail = () => {
    const boot = document.getElementById('boot');
    if (failed || !boot) return;
    failed = true;
    let chosen = boot.dataset.lang;
    if (!chosen && boot.dataset.langKey) {
      try { chosen = sessionStorage.getItem(boot.dataset.langKey); } catch {} // storage blocked in a frame
    }
    const browser = navigator.language || '';
    const de = chosen === 'de' || (chosen !== 'en' && (browser === '' || browser.startsWith('de')));
    boot.className = 'notice bad';
    boot.setAttribute('role', 'alert'); // an alert, shown, before its text, so it is announced
    boot.removeAttribute('aria-busy');
    if (de) boot.removeAttribute('lang'); else boot.lang = 'en'; // the documents are German
    boot.hidden = false;
    boot.textContent = de ? boot.dataset.de : boot.dataset.en;
  };
  addEventListener('appfailed', fail);
  addEventListener('error', (event) => event.target instanceof HTMLScriptElement && fail(), true);
}
