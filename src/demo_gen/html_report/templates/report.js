// demo-gen report: expand compressed blocks on demand, open linked activities, sort the index.
// No network: blocks are inline base64 gzip, inflated with the browser's DecompressionStream.
"use strict";
(function () {
  const done = new Set();

  async function inflate(id) {
    if (done.has(id)) return;
    done.add(id);
    const src = document.getElementById(id);
    const slot = document.querySelector('[data-lazy="' + id + '"]');
    if (!src || !slot) return;
    const bytes = Uint8Array.from(atob(src.textContent.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const html = await new Response(stream).text();
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    slot.replaceWith(tpl.content);
    src.remove();
  }

  function blockFor(hash) {
    const deal = /^#d(?:eal-)?(\d+)/.exec(hash);
    if (deal) {
      const n = Number(deal[1]);
      for (const s of document.querySelectorAll('script[type="application/x-gzip-b64"]')) {
        if (Number(s.dataset.first) <= n && n <= Number(s.dataset.last) && s.dataset.first !== "0") return s.id;
      }
    }
    const seller = /^#(seller-\d+)/.exec(hash);
    return seller ? seller[1] + "-body" : null;
  }

  async function reveal(hash) {
    if (!hash || hash.length < 2) return;
    const block = blockFor(hash);
    if (block) await inflate(block);
    const el = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!el) return;
    if (el.tagName === "DETAILS") el.open = true;
    el.scrollIntoView({ block: "center" });
  }

  async function expandAll(prefix) {
    const ids = [...document.querySelectorAll('script[type="application/x-gzip-b64"]')]
      .map((s) => s.id).filter((id) => id.startsWith(prefix));
    for (const id of ids) await inflate(id);
  }
  window.demoGenExpandAll = expandAll;

  const DEAL_BLOCKS = 'script[type="application/x-gzip-b64"][id^="deals-"]';
  async function moreDeals(button) {
    const next = document.querySelector(DEAL_BLOCKS);
    if (next) await inflate(next.id);
    if (!document.querySelector(DEAL_BLOCKS)) button.parentElement.remove();
  }  // used by the browser test and handy in the console

  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-lazy-button]");
    if (button) { inflate(button.dataset.lazyButton); return; }
    if (ev.target.id === "more-deals") { moreDeals(ev.target); return; }
    const link = ev.target.closest('a[href^="#"]');
    if (link && link.getAttribute("href") === location.hash) reveal(location.hash);
  });
  window.addEventListener("hashchange", () => reveal(location.hash));
  if (location.hash) reveal(location.hash);

  function sortBy(table, col, type, dir) {
    const body = table.tBodies[0];
    const key = (row) => {
      const cell = row.cells[col];
      const v = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
      return type === "num" && !isNaN(Number(v)) ? Number(v) : v.toLowerCase();
    };
    const rows = [...body.rows].sort((a, b) => (key(a) > key(b) ? dir : key(a) < key(b) ? -dir : 0));
    body.append(...rows);
  }
  for (const table of document.querySelectorAll("table.sortable")) {
    table.tHead.addEventListener("click", (ev) => {
      const th = ev.target.closest("th");
      if (!th) return;
      const dir = th.dataset.dir === "1" ? -1 : 1;
      for (const other of th.parentElement.children) delete other.dataset.dir;
      th.dataset.dir = String(dir);
      sortBy(table, th.cellIndex, th.dataset.type, dir);
    });
  }
})();
