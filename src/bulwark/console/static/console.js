// The review console's only script, shipped in the package (no CDN).
// Two jobs: a single key for every decision, and hold-to-reveal — the original
// bytes are fetched (an audited request) when the reviewer presses and held
// only while the button or key stays down; released, they are dropped.
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf"]')?.content || "";

  const typing = (el) =>
    el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      (el.tagName === "INPUT" && !["checkbox", "radio", "submit", "button"].includes(el.type)));

  // -- hold to reveal -------------------------------------------------------
  const say = (msg) => {
    const box = document.getElementById("console-message");
    if (box) { box.textContent = msg; box.hidden = !msg; }
  };

  async function startReveal(btn) {
    if (btn.dataset.active) return;
    btn.dataset.active = "1";
    btn.setAttribute("aria-pressed", "true");
    const target = document.getElementById(btn.dataset.target);
    let r;
    try {
      r = await fetch(btn.dataset.url, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf },
      });
    } catch (e) { say("reveal failed: " + e); stopReveal(btn); return; }
    if (!r.ok) {
      say(r.headers.get("X-Console-Error") || ("reveal refused (" + r.status + ")"));
      stopReveal(btn);
      return;
    }
    const blob = await r.blob();
    if (!btn.dataset.active) return;  // let go before it arrived: show nothing
    const url = URL.createObjectURL(blob);
    let shown;
    if (blob.type.startsWith("video/")) {
      shown = document.createElement("video");
      shown.muted = true; shown.autoplay = false; shown.controls = true;
      shown.preload = "metadata"; shown.width = 320;  // muted, paused, reduced
    } else {
      shown = document.createElement("img");
      shown.alt = "revealed original (hold to keep it on screen)";
    }
    shown.src = url;
    shown.className = "revealed";
    target.replaceChildren(shown);
    target.hidden = false;
    btn._url = url;
    say("");
  }

  function stopReveal(btn) {
    delete btn.dataset.active;
    btn.setAttribute("aria-pressed", "false");
    const target = document.getElementById(btn.dataset.target);
    if (target) { target.replaceChildren(); target.hidden = true; }
    if (btn._url) { URL.revokeObjectURL(btn._url); btn._url = null; }
  }

  for (const btn of document.querySelectorAll("[data-hold]")) {
    btn.addEventListener("pointerdown", (ev) => { ev.preventDefault(); startReveal(btn); });
    for (const end of ["pointerup", "pointerleave", "pointercancel"]) {
      btn.addEventListener(end, () => stopReveal(btn));
    }
    btn.addEventListener("click", (ev) => ev.preventDefault());
  }
  const dropAll = () => document.querySelectorAll("[data-hold]").forEach(stopReveal);
  window.addEventListener("blur", dropAll);
  document.addEventListener("visibilitychange", dropAll);

  // -- one key per decision -------------------------------------------------
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    const el = document.querySelector(`[data-key="${CSS.escape(ev.key)}"]`);
    if (!el) return;
    ev.preventDefault();
    if (el.hasAttribute("data-hold")) { if (!ev.repeat) startReveal(el); return; }
    if (!ev.repeat) el.click();
  });
  document.addEventListener("keyup", (ev) => {
    const el = document.querySelector(`[data-key="${CSS.escape(ev.key)}"][data-hold]`);
    if (el) stopReveal(el);
  });

  // a decision is sent once: the second press of a key before the page changes does nothing
  for (const form of document.querySelectorAll("form[data-once]")) {
    form.addEventListener("submit", (ev) => {
      if (form.dataset.sent) { ev.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }
})();
