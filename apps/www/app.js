// The status page: polls the kernel's JSON API once a second and redraws. No libraries.
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (n) => n >= 1e9 ? (n / 1e9).toFixed(1) + " G" : n >= 1e6 ? (n / 1e6).toFixed(1) + " M"
  : n >= 1e4 ? (n / 1e3).toFixed(1) + " k" : String(n);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
let updates = 0, failures = 0;

function rows(tbody, list, cells, cls) {
  $(tbody).innerHTML = list.map((x) =>
    `<tr${cls ? ` class="${esc(cls(x))}"` : ""}>` + cells(x).map((v) =>
      typeof v === "number" ? `<td class="n">${v}</td>` : `<td>${esc(v)}</td>`).join("") + "</tr>").join("");
}

function chart(canvas, series, colors) {
  const c = $(canvas), dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth || 300, h = c.clientHeight || 90;
  c.width = w * dpr; c.height = h * dpr;
  const g = c.getContext("2d");
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  const max = Math.max(1, ...series.flat());
  g.strokeStyle = getComputedStyle(document.body).getPropertyValue("--line");
  g.beginPath(); g.moveTo(0, h - 0.5); g.lineTo(w, h - 0.5); g.stroke();
  series.forEach((s, k) => {
    g.strokeStyle = colors[k]; g.lineWidth = 1.5; g.beginPath();
    s.forEach((v, i) => {
      const x = s.length > 1 ? (i / (s.length - 1)) * w : w, y = h - 2 - (v / max) * (h - 14);
      i ? g.lineTo(x, y) : g.moveTo(x, y);
    });
    g.stroke();
  });
  g.fillStyle = getComputedStyle(document.body).getPropertyValue("--mute");
  g.font = "11px system-ui"; g.fillText(fmt(max), 2, 10);
}

function showStatus(s) {
  $("board").textContent = s.board;
  document.title = s.board + " status";
  $("uptime").textContent = (s.uptime_ms / 1000).toFixed(0) + " s";
  $("idle").textContent = s.idle_pct + "%";
  $("conns").textContent = s.connections;
  const hist = s.history, last = (a) => a.length ? a[a.length - 1] : 0;
  $("rx").textContent = fmt(last(hist.rx_bytes));
  $("tx").textContent = fmt(last(hist.tx_bytes));
  chart("chart-conns", [hist.connections], ["#2563eb"]);
  chart("chart-traffic", [hist.rx_bytes, hist.tx_bytes], ["#2563eb", "#d97706"]);
  $("heap").textContent = fmt(s.heap.used) + "B of " + fmt(s.heap.total) + "B";
  $("heap-bar").style.width = (100 * s.heap.used / s.heap.total).toFixed(1) + "%";
  $("heap-detail").textContent = `peak ${fmt(s.heap.peak)}B · cached ${fmt(s.heap.cached)}B · ${s.tasks} tasks`;
  const sv = s.servers;
  rows("server-rows", [
    ["echo (task per connection)", sv.echo.port, sv.echo.active, sv.echo.peak, sv.echo.accepted, sv.echo.refused, fmt(sv.echo.bytes) + "B"],
    ["chat", sv.chat.port, sv.chat.active, "", sv.chat.accepted, sv.chat.refused, sv.chat.lines + " lines"],
    ["selector echo (generators)", sv.selecho.port, sv.selecho.active, sv.selecho.peak, sv.selecho.accepted, sv.selecho.refused, ""],
    ["http (generators)", sv.http.port, sv.http.active, sv.http.peak, sv.http.accepted, sv.http.refused,
     `${sv.http.requests} req · ${fmt(sv.http.bytes_out)}B`],
  ], (x) => x);
}

function showTasks(t) {
  $("task-count").textContent = `(${t.count})`;
  rows("task-rows", t.tasks, (x) => [x.id, x.name, x.state, x.wait || "-", x.stack, x.peak, x.switches],
       (x) => x.state);
}

function showNet(n) {
  const i = n.netif;
  $("netif").innerHTML = i ? [["name", `${i.name} (${i.driver})`], ["link", i.link ? "up" : "down"],
    ["address", `${i.ip} (${i.source})`], ["netmask", i.netmask], ["gateway", i.gateway],
    ...(i.ip6 || []).map((a) => ["inet6", `${a.addr} (${a.scope}, ${a.state})`]), ["dns", i.dns],
    ["mac", i.mac], ["mtu", i.mtu]].map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join("") : "<dt>none</dt>";
  rows("nic-rows", Object.entries(n.nic), (x) => [x[0].replace(/_/g, " "), x[1]]);
  rows("pool-rows", n.lwip.pools, (p) => [p.name, p.size, p.used, p.max, p.err]);
  const e = n.tcp_endpoints;
  $("ep-count").textContent = e.count > e.list.length ? `(${e.list.length} of ${e.count})` : `(${e.count})`;
  rows("ep-rows", e.list, (x) => [x.local, x.remote, x.state]);
}

async function get(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

async function update() {
  try {
    const [s, t, n] = await Promise.all([get("/api/status"), get("/api/tasks"), get("/api/net")]);
    showStatus(s); showTasks(t); showNet(n);
    updates++;
    $("updated").dataset.count = updates;
    $("updated").textContent = `updated ${new Date().toLocaleTimeString()} (${updates})`;
    $("live").className = "dot ok";
  } catch (err) {
    failures++;
    $("live").className = "dot bad";
    $("updated").textContent = `no answer (${err.message}); retrying`;
  }
  setTimeout(update, 1000);
}
update();
