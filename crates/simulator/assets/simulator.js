// The enterprise page: launches the service, logs its messages, plays the
// payment popup. Signing and verification happen on the simulator server so
// the rules stay in one place (Rust); this script only drives the page.
// Untrusted text (messages, URLs) is only ever set with textContent.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const PARAMS = [
    "customerName", "customerWebId", "userId", "groupId", "estateid", "addressid",
    "language", "UserLanguage", "imageIds", "parameterCacheId", "apiClaim", "apiToken",
  ];

  /** Every message seen, for tests: {origin, kind, valid, reason, data}. */
  window.simulatorMessages = [];

  let refreshCount = 0;
  let launchUrl = null; // the last signed URL, null once the form changed
  let pendingOrder = null; // the order shown in the payment popup
  let queue = Promise.resolve(); // keeps messages in arrival order

  function randomHex(bytes) {
    const buf = new Uint8Array(bytes);
    crypto.getRandomValues(buf);
    return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function postJson(path, body) {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error || `HTTP ${res.status}`);
    return json;
  }

  function showError(el, error) {
    el.textContent = error ? String(error.message || error) : "";
    el.hidden = !error;
  }

  // ---- Launch -------------------------------------------------------------

  function formParams() {
    const params = {};
    for (const name of PARAMS) params[name] = $(name).value;
    return params;
  }

  async function buildLaunchUrl() {
    const { url } = await postJson("/api/launch-url", { params: formParams(), mode: $("mode").value });
    launchUrl = url;
    $("launch-url").textContent = url;
    $("open-tab").href = url;
    return url;
  }

  function openWindow(url) {
    const frame = $("service");
    frame.hidden = false;
    $("closed").hidden = true;
    frame.src = url;
  }

  /** Enterprise closes its popup: the service is gone. */
  function closeWindow() {
    const frame = $("service");
    frame.hidden = true;
    frame.src = "about:blank";
    $("closed").hidden = false;
  }

  $("launch-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      showError($("launch-error"), null);
      openWindow(await buildLaunchUrl());
    } catch (error) {
      showError($("launch-error"), error);
    }
  });

  // The activation iframe: same customer, the activation parameter set, at /activate.
  $("open-activation").addEventListener("click", async () => {
    try {
      showError($("launch-error"), null);
      const { url } = await postJson("/api/launch-url", { params: formParams(), mode: $("mode").value, target: "activation" });
      $("launch-url").textContent = url;
      openWindow(url);
    } catch (error) {
      showError($("launch-error"), error);
    }
  });

  // A webhook, as enterprise calls it: a signed GET from server to server.
  $("fire-webhook").addEventListener("click", async () => {
    const result = $("webhook-result");
    result.textContent = "…";
    result.removeAttribute("data-status");
    try {
      const extra = Object.fromEntries(new URLSearchParams($("webhook-params").value));
      const params = { ...formParams(), ...extra };
      delete params.apiToken;
      const answer = await postJson("/api/fire-webhook", { service: $("webhook-service").value, params });
      result.textContent = `${answer.status}: ${answer.body} — enterprise: ${answer.enterprise}`;
      result.dataset.status = String(answer.status);
      const estates = await fetch("/api/_estates").then((r) => r.json());
      $("estates").textContent = JSON.stringify(estates, null, 2);
    } catch (error) {
      result.textContent = String(error.message || error);
      result.dataset.status = "error";
    }
  });

  $("launch-form").addEventListener("input", () => {
    launchUrl = null;
  });

  // Opens the URL the iframe got; builds a fresh one if the form changed since.
  $("open-tab").addEventListener("click", async (event) => {
    if (launchUrl) return; // the link's own target=_blank, rel=noopener
    event.preventDefault();
    try {
      showError($("launch-error"), null);
      window.open(await buildLaunchUrl(), "_blank", "noopener,noreferrer");
    } catch (error) {
      showError($("launch-error"), error);
    }
  });

  // ---- Messages -----------------------------------------------------------

  function displayData(data) {
    if (typeof data === "string") return data;
    try {
      return JSON.stringify(data);
    } catch (_) {
      return String(data);
    }
  }

  async function judge(data, origin) {
    try {
      return await postJson("/api/verify-message", { data, origin });
    } catch (error) {
      return { kind: "unknown", valid: false, reason: `verify_failed: ${error.message}` };
    }
  }

  function logRow(entry) {
    const row = document.createElement("tr");
    row.className = "message";
    row.dataset.kind = entry.kind;
    row.dataset.valid = String(entry.valid);
    row.dataset.origin = entry.origin;
    const cells = [
      ["time", new Date().toLocaleTimeString()],
      ["origin", entry.origin],
      ["kind", entry.kind],
      ["valid", entry.valid ? "valid" : `invalid (${entry.reason || "?"})`],
      ["data", displayData(entry.data)],
    ];
    for (const [name, text] of cells) {
      const cell = document.createElement("td");
      cell.className = name;
      cell.textContent = text;
      row.appendChild(cell);
    }
    $("messages").tBodies[0].appendChild(row);
  }

  async function handleMessage(event) {
    let data = event.data;
    try {
      JSON.stringify(data);
    } catch (_) {
      data = String(data); // not serialisable (e.g. a port): judged as unknown
    }
    const verdict = await judge(data, event.origin);
    const entry = {
      origin: event.origin,
      kind: verdict.kind,
      valid: verdict.valid === true,
      reason: verdict.reason ?? null,
      data,
    };
    logRow(entry);
    window.simulatorMessages.push(entry);
    react(entry);
  }

  /** What enterprise does in answer to a message. */
  function react(entry) {
    if (entry.kind === "order") {
      showPayment(entry);
      return;
    }
    if (!entry.valid) return;
    switch (entry.kind) {
      case "refreshParent":
        $("refresh-count").textContent = String(++refreshCount);
        break;
      case "refreshParentAndClose":
        $("refresh-count").textContent = String(++refreshCount);
        closeWindow();
        break;
      case "closeProviderWindow":
        closeWindow();
        break;
      case "active":
        $("activated").hidden = false;
        break;
    }
  }

  window.addEventListener("message", (event) => {
    queue = queue.then(() => handleMessage(event));
  });

  // ---- Payment popup ------------------------------------------------------

  function item(list, text, field) {
    const li = document.createElement("li");
    li.className = "payment-item";
    if (field) li.dataset.field = field;
    li.textContent = text;
    list.appendChild(li);
  }

  function parseOrder(data) {
    try {
      const order = JSON.parse(data);
      return order && typeof order === "object" ? order : null;
    } catch (_) {
      return null;
    }
  }

  function listOrder(order) {
    const list = $("payment-items");
    if (order.abo && typeof order.abo === "object") {
      const abo = order.abo;
      item(list, `Subscription term: ${abo.durationinmonth} months`, "durationinmonth");
      item(list, `Notice period: ${abo.noticeperiod}`, "noticeperiod");
      item(list, `Automatic renewal: ${abo.automaticrenewal}`, "automaticrenewal");
      item(list, `Monthly costs: ${abo.monthlycosts} EUR`, "monthlycosts");
      item(list, `Service: ${abo.monthlyservicedescription}`, "monthlyservicedescription");
      item(list, `For: ${abo.circleofusers ?? "—"}`, "circleofusers");
      return;
    }
    for (const p of Array.isArray(order.products) ? order.products : []) {
      const who = p && p.circleofusers != null ? p.circleofusers : "—";
      item(list, `${p?.name} × ${p?.quantity} — ${p?.price} EUR (for: ${who})`, "product");
    }
    if (order.totalprice != null) $("payment-total").textContent = `Total: ${order.totalprice} EUR`;
  }

  function payButton(id, label, status) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = id;
    button.textContent = label;
    button.addEventListener("click", () => pay(status));
    return button;
  }

  function showPayment(entry) {
    const order = parseOrder(entry.data);
    pendingOrder = entry.valid ? order : null;
    $("payment-items").replaceChildren();
    $("payment-total").textContent = "";
    if (order) listOrder(order);
    const buttons = $("payment-buttons");
    buttons.replaceChildren();
    if (pendingOrder) {
      showError($("payment-error"), null);
      buttons.append(
        payButton("pay-confirm", "Pay now", "success"),
        payButton("pay-sepa", "Pay by SEPA direct debit", "inprocess"),
        payButton("pay-cancel", "Cancel", "error"),
      );
    } else {
      showError($("payment-error"), `This order cannot be paid: ${entry.reason || "invalid"}`);
      const close = document.createElement("button");
      close.type = "button";
      close.id = "payment-close";
      close.textContent = "Close";
      close.addEventListener("click", () => { $("payment").hidden = true; });
      buttons.append(close);
    }
    $("payment").hidden = false;
  }

  async function pay(status) {
    const order = pendingOrder;
    if (!order) return;
    try {
      const { url } = await postJson("/api/callback-url", {
        callbackurl: order.callbackurl,
        status,
        kind: order.abo ? "abo" : "products",
        tamper: $("tamper-callback").checked,
      });
      $("callback-url").textContent = url;
      pendingOrder = null;
      $("payment").hidden = true;
      openWindow(url);
    } catch (error) {
      showError($("payment-error"), error);
    }
  }

  // Fresh ids per page load, as every service call gets new ones.
  $("parameterCacheId").value = randomHex(6);
  $("apiClaim").value = `${randomHex(8)}.${randomHex(4)}`;
})();
