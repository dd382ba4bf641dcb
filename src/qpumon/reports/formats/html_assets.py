"""The stylesheet and script of qpumon's HTML pages, inlined in every page (no external asset,
no CDN): the HTML format and the web dashboard share them."""

from __future__ import annotations

CSS = """
svg * { stroke-linejoin: round; stroke-linecap: butt; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1400px; padding: 16px 24px; color: #1d1d1f; background: #fafafa; }
h1 { font-size: 22px; margin: 4px 0 2px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.sub { color: #555; margin: 0 0 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 10px 12px; }
.card .k { color: #666; font-size: 12px; } .card .v { font-size: 19px; font-weight: 600; }
.card.warn .v { color: #b0005a; }
.figure { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 8px;
          overflow-x: auto; } .figure svg { max-width: 100%; height: auto; }
.dists { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 10px; }
svg text { pointer-events: none; }
[id^="qubit-"], [id^="coupler-"] { cursor: pointer; }
#tooltip { position: fixed; display: none; pointer-events: none; background: #222; color: #fff;
           padding: 6px 9px; border-radius: 5px; font-size: 12px; white-space: pre;
           z-index: 10; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.controls { margin: 6px 0; } .controls input[type=search] { width: 260px; padding: 4px 6px; }
.scroll { max-height: 560px; overflow: auto; border: 1px solid #ddd; border-radius: 6px;
          background: #fff; }
table { border-collapse: collapse; font-size: 12.5px; width: 100%; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { position: sticky; top: 0; background: #f0f0f3; cursor: pointer; user-select: none; }
th:first-child, td:first-child { text-align: left; }
th.asc::after { content: " ▲"; } th.desc::after { content: " ▼"; }
td.missing { color: #999; } td.flag { color: #b0005a; font-weight: 600; }
td.odd { color: #a36500; } td.mark { color: #0a7d32; font-weight: 600; }
td.stale { background: #fff4d6; }
.note { color: #555; font-size: 12px; }
"""

JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("qpumon-data").textContent);
  var tip = document.getElementById("tooltip");
  function target(el) {
    for (; el && el.id !== undefined; el = el.parentNode) {
      var m = /^qubit-(?:label-)?(\\d+)$/.exec(el.id);
      if (m) { return data.qubits[m[1]]; }
      m = /^coupler-(?:flag-)?(\\d+)-(\\d+)$/.exec(el.id);
      if (m) { return data.couplers[m[1] + "-" + m[2]]; }
    }
    return null;
  }
  var map = document.getElementById("map");
  if (map && data.qubits) {
    map.addEventListener("mouseover", function (e) {
      var text = target(e.target);
      if (text) { tip.textContent = text; tip.style.display = "block"; }
    });
    map.addEventListener("mousemove", function (e) {
      tip.style.left = (e.clientX + 14) + "px"; tip.style.top = (e.clientY + 14) + "px";
    });
    map.addEventListener("mouseout", function (e) {
      if (!target(e.relatedTarget)) { tip.style.display = "none"; }
    });
  }
  function key(cell) {
    var v = cell.getAttribute("data-v");
    if (v === null) { return cell.textContent; }
    return v === "" ? null : parseFloat(v);
  }
  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = !th.classList.contains("asc");
    Array.prototype.forEach.call(th.parentNode.children, function (h) {
      h.classList.remove("asc", "desc"); });
    th.classList.add(asc ? "asc" : "desc");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (x === null || y === null) { return x === y ? 0 : (x === null ? 1 : -1); }
      var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.addEventListener("click", function () { sortBy(table, th); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), function (box) {
    var table = document.getElementById(box.getAttribute("data-filter"));
    var flagged = document.querySelector("[data-flagged='" + table.id + "']");
    function apply() {
      var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = row.textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        if (flagged && flagged.checked) { ok = ok && row.classList.contains("flagged"); }
        row.style.display = ok ? "" : "none";
      });
    }
    box.addEventListener("input", apply);
    if (flagged) { flagged.addEventListener("change", apply); }
  });
})();
"""
