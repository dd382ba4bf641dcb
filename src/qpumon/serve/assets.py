"""The dashboard's own stylesheet, script and icon, vendored here (no CDN, no network); the
report's stylesheet and script (:mod:`qpumon.reports.formats.html_assets`) are served beside
them, so the tables, cards, tooltips, sorting and filtering are the ``html`` format's own.

The script keeps the fleet table current (it polls ``/fleet/table`` and updates the changed
cells in place, highlighted), links device names to their pages, swaps the error map when the
metric chooser changes and draws the history the history form asks for.
"""

from __future__ import annotations

CSS = """
a { color: #0b57d0; }
.topbar { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: baseline;
          border-bottom: 1px solid #ddd; padding: 0 0 8px; margin: 0 0 10px; }
.topbar .brand { font-weight: 700; font-size: 16px; color: #1d1d1f; text-decoration: none; }
.topbar nav a { margin-right: 14px; text-decoration: none; }
.topbar .clock { margin-left: auto; color: #666; font-size: 12px; }
.banner { padding: 8px 12px; border-radius: 6px; margin: 8px 0; border: 1px solid #ddd;
          background: #fff; }
.banner.stale { background: #fff4d6; border-color: #e0b44a; }
.banner.error { background: #fde7ef; border-color: #d6007e; }
.banner.alert { background: #fde7ef; border-color: #d6007e; color: #8a0052; }
.banner.ok { background: #eaf7ef; border-color: #4cc38a; }
.alerts-scroll { max-height: 260px; margin: 0 0 8px; }
table.alerts th, table.alerts td { text-align: left; cursor: default; }
table.alerts td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.alerts td a { font-weight: 600; text-decoration: none; }
table.alerts .pending { color: #a36500; font-weight: normal; }
#cleared-table { color: #555; }
.sub.fetched { margin: 4px 0 10px; }
.links a { margin-right: 16px; }
.chooser { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin: 8px 0; }
.chooser label { white-space: nowrap; }
.chooser select, .chooser input { padding: 3px 6px; font: inherit; }
.chooser input[type=number] { width: 6em; }
.figure.busy { opacity: .45; }
.figure .note { margin: 8px; }
#fleet-table th, #fleet-table td { padding: 3px 4px; }
#fleet-table { font-size: 12px; }
#fleet-table td:first-child a { font-weight: 600; text-decoration: none; }
svg.spark { vertical-align: middle; margin-left: 4px; overflow: visible; }
svg.spark path { fill: none; stroke: #5b6b8c; stroke-width: 1.3; }
.scroll td:first-child { position: sticky; left: 0; background: #fff; }
.scroll th:first-child { left: 0; z-index: 2; }
td.changed { animation: qpumon-changed 3s ease-out; }
@keyframes qpumon-changed { from { background: #ffe58a; } to { background: transparent; } }
.devices-list { columns: 4 12em; padding-left: 18px; }
@media (max-width: 700px) {
  body { padding: 10px; }
  h1 { font-size: 19px; }
  .dists { grid-template-columns: 1fr; }
  #map svg { max-width: none; width: 640px; }
  .controls input[type=search] { width: 100%; box-sizing: border-box; }
  .topbar .clock { margin-left: 0; }
}
"""

JS = """
(function () {
  "use strict";
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  // The table kept in place; the alert tables above it are parts, replaced whole.
  var TABLE = "table.sortable";
  function stamp(text) {
    var clock = document.getElementById("clock");
    if (clock) { clock.textContent = text; }
  }

  function linkNames(table) {
    each(table.tBodies[0].rows, function (row) {
      var cell = row.cells[0];
      if (!cell || cell.querySelector("a")) { return; }
      var link = document.createElement("a");
      link.href = "/devices/" + encodeURIComponent(cell.textContent);
      link.textContent = cell.textContent;
      cell.textContent = "";
      cell.appendChild(link);
    });
  }
  function classes(cell) { return cell.className.replace(/\\bchanged\\b/, "").trim(); }
  function text(cell) {
    var out = "";
    each(cell.childNodes, function (node) {
      if (!(node.classList && node.classList.contains("spark"))) { out += node.textContent; }
    });
    return out;
  }
  function same(a, b) {
    return text(a) === text(b) && a.title === b.title &&
      a.getAttribute("data-v") === b.getAttribute("data-v") && classes(a) === classes(b);
  }
  function copy(to, from) {
    to.textContent = from.textContent;
    ["data-v", "title"].forEach(function (name) {
      if (from.hasAttribute(name)) { to.setAttribute(name, from.getAttribute(name)); }
      else { to.removeAttribute(name); }
    });
    to.className = from.className;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function sparkline(points) {
    var present = points.filter(function (p) { return p !== null; });
    if (present.length < 2) { return null; }
    var low = Math.min.apply(null, present), high = Math.max.apply(null, present);
    var width = 34, height = 14, step = width / (points.length - 1), path = "";
    points.forEach(function (p, i) {
      if (p === null) { return; }
      var y = high === low ? height / 2 : 1 + (height - 2) * (high - p) / (high - low);
      path += (path ? " L" : "M") + (i * step).toFixed(1) + " " + y.toFixed(1);
    });
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(SVG, "path");
    line.setAttribute("d", path);
    svg.appendChild(line);
    return svg;
  }
  function drawTrends(table) {
    var source = document.getElementById("fleet-trends");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    each(table.querySelectorAll("svg.spark"), function (s) { s.parentNode.removeChild(s); });
    each(table.tBodies[0].rows, function (row) {
      var trends = data.devices[row.cells[0].textContent];
      if (!trends) { return; }
      Object.keys(data.columns).forEach(function (index) {
        var cell = row.cells[+index], svg = sparkline(trends[data.columns[index]] || []);
        if (cell && svg && cell.getAttribute("data-v") !== "") { cell.appendChild(svg); }
      });
    });
  }
  function flash(cell) {
    cell.classList.remove("changed");
    void cell.offsetWidth;
    cell.classList.add("changed");
  }
  function quietColumns(table, root) {
    var quiet = (root.getAttribute("data-quiet") || "").split("|");
    var out = [];
    each(table.tHead.rows[0].cells, function (th, i) {
      if (quiet.indexOf(th.textContent) >= 0) { out.push(i); }
    });
    return out;
  }
  function reconcile(table, fresh, root) {
    if (table.tHead.rows[0].textContent !== fresh.tHead.rows[0].textContent) {
      window.location.reload();
      return;
    }
    var quiet = quietColumns(table, root), rows = {}, seen = {};
    each(table.tBodies[0].rows, function (row) { rows[row.cells[0].textContent] = row; });
    each(fresh.tBodies[0].rows, function (next) {
      var name = next.cells[0].textContent, row = rows[name];
      seen[name] = true;
      if (!row) { table.tBodies[0].appendChild(document.importNode(next, true)); return; }
      row.className = next.className;
      for (var i = 1; i < next.cells.length; i++) {
        if (!same(row.cells[i], next.cells[i])) {
          copy(row.cells[i], next.cells[i]);
          if (quiet.indexOf(i) < 0) { flash(row.cells[i]); }
        }
      }
    });
    Object.keys(rows).forEach(function (name) {
      if (!seen[name]) { rows[name].parentNode.removeChild(rows[name]); }
    });
    linkNames(table);
    drawTrends(table);
    var box = document.querySelector("[data-filter='" + table.id + "']");
    if (box) { box.dispatchEvent(new Event("input")); }
  }
  function apply(root, text) {
    var template = document.createElement("template");
    template.innerHTML = text;
    each(template.content.querySelectorAll("[data-part]"), function (part) {
      var here = root.querySelector("[data-part='" + part.getAttribute("data-part") + "']");
      if (here) { here.innerHTML = part.innerHTML; }
    });
    var table = root.querySelector(TABLE), fresh = template.content.querySelector(TABLE);
    var trends = template.content.getElementById("fleet-trends");
    var here = document.getElementById("fleet-trends");
    if (trends && here) { here.textContent = trends.textContent; }
    if (table && fresh) { reconcile(table, fresh, root); }
  }
  function poll(root) {
    var url = root.getAttribute("data-poll");
    var every = 1000 * parseFloat(root.getAttribute("data-every") || "10");
    var etag = root.getAttribute("data-etag");
    function tick() {
      fetch(url, {headers: etag ? {"If-None-Match": etag} : {}, credentials: "same-origin"})
        .then(function (answer) {
          if (answer.status === 304) { return null; }
          if (!answer.ok) { throw new Error("HTTP " + answer.status); }
          etag = answer.headers.get("ETag");
          return answer.text();
        })
        .then(function (text) {
          if (text !== null) { apply(root, text); }
          stamp("updated " + new Date().toLocaleTimeString());
        })
        .catch(function () { stamp("cannot reach the server; retrying"); })
        .then(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }
  each(document.querySelectorAll("[data-link-names] " + TABLE), function (table) {
    linkNames(table);
    drawTrends(table);
  });
  each(document.querySelectorAll("[data-poll]"), poll);

  function swap(box, url) {
    box.classList.add("busy");
    return fetch(url, {credentials: "same-origin"})
      .then(function (answer) {
        return answer.text().then(function (text) {
          if (!answer.ok) { throw new Error(text || ("HTTP " + answer.status)); }
          return text;
        });
      })
      .then(function (markup) { box.innerHTML = markup; box.setAttribute("data-shown", url); })
      .catch(function (error) {
        var note = document.createElement("p");
        note.className = "note";
        note.textContent = String(error.message || error);
        box.textContent = "";
        box.appendChild(note);
      })
      .then(function () { box.classList.remove("busy"); });
  }
  function query(form) {
    var params = new URLSearchParams();
    each(form.elements, function (field) {
      if (field.name && field.value !== "") { params.append(field.name, field.value); }
    });
    return params.toString();
  }
  var chooser = document.getElementById("map-chooser");
  var map = document.getElementById("map");
  if (chooser && map) {
    chooser.addEventListener("change", function () {
      swap(map, chooser.getAttribute("data-src") + "?" + query(chooser));
    });
  }
  var form = document.getElementById("history-form");
  var history = document.getElementById("history");
  if (form && history) {
    var show = function (event) {
      if (event) { event.preventDefault(); }
      var params = query(form);
      var link = document.getElementById("history-json");
      if (link) { link.href = form.getAttribute("data-api") + "?" + params; }
      swap(history, form.getAttribute("data-src") + "?" + params);
    };
    form.addEventListener("submit", show);
    form.addEventListener("change", show);
    show();
  }
})();
"""

FAVICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect x="3" y="3" width="26" height="26" rx="5" fill="#1d1d1f"/>
<g fill="#4cc38a"><circle cx="10" cy="10" r="3"/><circle cx="22" cy="10" r="3"/>
<circle cx="10" cy="22" r="3"/></g><circle cx="22" cy="22" r="3" fill="#d6007e"/>
<g stroke="#9aa" stroke-width="2"><path d="M13 10h6M10 13v6M13 22h6M22 13v6"/></g>
</svg>
"""
