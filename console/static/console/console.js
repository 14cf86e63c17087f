/* WARD FLUX console: live board socket, device graphs (uPlot), diagnostics stream, PWA. */
"use strict";

/* ---- PWA: the service worker keeps the last board for offline use ---------------------- */
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}
function showOffline() {
  const note = document.getElementById("offline-note");
  if (note) note.hidden = navigator.onLine;
}
window.addEventListener("online", showOffline);
window.addEventListener("offline", showOffline);

/* ---- live board: WebSocket push, htmx polling every 15 s while the socket is down -------- */
let wfLive = false;
window.wfPolling = () => !wfLive;

function setLive(state) {
  const dot = document.getElementById("live");
  if (!dot) return;
  dot.className = "live " + state;
  dot.title = state === "on" ? "Live: pushed over a WebSocket" : "Polling every 15 s (socket down)";
  document.body.dataset.live = state;
}

function toast(text) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const el = document.createElement("div");
  el.className = "toast";
  el.textContent = text;
  box.appendChild(el);
  setTimeout(() => el.remove(), 6000);
  while (box.children.length > 4) box.firstChild.remove();
}

function connectBoard(delay) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  let socket;
  try { socket = new WebSocket(`${proto}//${location.host}/ws/board/`); } catch (e) { return; }
  socket.onopen = () => { wfLive = true; setLive("on"); delay = 1000; };
  socket.onmessage = (msg) => {
    const data = JSON.parse(msg.data);
    if (data.kind === "hello") return;
    if (data.kind === "device") toast(`${data.name}: ${data.was || "new"} → ${data.status}`);
    if (data.kind === "problem" && data.created) toast(`${data.severity.toUpperCase()}: ${data.title} on ${data.device}`);
    document.body.dispatchEvent(new Event("wf-refresh"));
  };
  socket.onclose = () => {
    wfLive = false; setLive("poll");
    setTimeout(() => connectBoard(Math.min((delay || 1000) * 2, 30000)), delay || 1000);
  };
}

/* ---- device graphs: /api/v1/metrics/query_range with the session, drawn with uPlot -------- */
let chartRange = 3600;

async function fetchSeries(metric, labels, range) {
  const end = Math.floor(Date.now() / 1000);
  const step = Math.max(60, Math.round(range / 240));
  const q = new URLSearchParams({ metric, start: end - range, end, step: step + "s", agg: "avg", ...labels });
  const r = await fetch(`/api/v1/metrics/query_range?${q}`, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`${metric}: HTTP ${r.status}`);
  const body = await r.json();
  return body.data.result.map((s) => ({ metric: s.metric, values: s.values }));
}

function seriesName(metric, labels, by) {
  const base = metric.replace(/^if_|_bps$|_percent$|_pct$/g, "");
  return by && labels[by] ? labels[by] : base;
}

function si(v) {
  if (v === null || v === undefined) return "";
  const a = Math.abs(v);
  for (const [size, unit] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]]) if (a >= size) return +(v / size).toFixed(1) + unit;
  return +v.toFixed(2) + "";
}

async function drawChart(fig) {
  const plot = fig.querySelector(".plot");
  const labels = { device: fig.dataset.device };
  if (fig.dataset.ifname) labels.ifName = fig.dataset.ifname;
  const by = fig.dataset.by || "";
  let series = [];
  try {
    for (const metric of fig.dataset.metrics.split(",")) {
      for (const s of await fetchSeries(metric, labels, chartRange)) series.push({ name: seriesName(metric, s.metric, by), values: s.values });
    }
  } catch (e) {
    plot.innerHTML = `<div class="empty">Could not load: ${e.message}</div>`;
    return;
  }
  const times = [...new Set(series.flatMap((s) => s.values.map((v) => v[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const data = [times];
  let points = 0;
  for (const s of series) {
    const col = new Array(times.length).fill(null);
    for (const [t, v] of s.values) { col[index.get(t)] = parseFloat(v); points++; }
    data.push(col);
  }
  fig.dataset.points = points;
  if (fig._plot) { fig._plot.destroy(); fig._plot = null; }
  plot.innerHTML = "";
  if (!points) { plot.innerHTML = '<div class="empty">No data in this range.</div>'; return; }
  const colours = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c"];
  const width = Math.max(240, fig.clientWidth || 300);
  const opts = {
    width, height: 180,
    series: [{}, ...series.map((s, i) => ({ label: s.name, stroke: colours[i % colours.length], width: 1.5, spanGaps: false, points: { show: times.length < 60 } }))],
    axes: [{}, { size: 56, values: (u, splits) => splits.map(si) }],
    legend: { live: true },
  };
  fig._plot = new uPlot(opts, data, plot);
}

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => document.querySelectorAll(".chart").forEach((fig) => {
    if (fig._plot) fig._plot.setSize({ width: Math.max(240, fig.clientWidth), height: 180 });
  }), 100);
});

function drawAll() {
  document.querySelectorAll(".chart:not([data-lazy]), .chart[data-lazy][data-open]").forEach(drawChart);
}

function setupDevice() {
  document.querySelectorAll(".ranges button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".ranges button").forEach((x) => x.classList.toggle("on", x === b));
    chartRange = parseInt(b.dataset.range, 10);
    drawAll();
  }));
  document.querySelectorAll("button.expand").forEach((b) => b.addEventListener("click", () => {
    const row = b.closest("tbody").querySelector(".ifgraph");
    const open = row.hidden;
    row.hidden = !open;
    b.setAttribute("aria-expanded", String(open));
    b.textContent = (open ? "▾ " : "▸ ") + b.dataset.if;
    if (open) row.querySelectorAll(".chart").forEach((fig) => { fig.dataset.open = "1"; drawChart(fig); });
  }));
  drawAll();
}

/* ---- diagnostics: Server-Sent Events, one row per reply or hop as it answers ------------- */
function setupDiagnostics() {
  const form = document.getElementById("diag");
  const out = document.getElementById("diag-out");
  const status = document.getElementById("diag-status");
  const summary = document.getElementById("diag-summary");
  const stop = document.getElementById("diag-stop");
  let source = null;
  const ms = (v) => (v === null || v === undefined ? "*" : v.toFixed(2) + " ms");
  const heads = {
    ping: ["#", "Reply"],
    traceroute: ["Hop", "Address", "Probes"],
    mtr: ["Hop", "Address", "Loss", "Sent", "Last", "Avg", "Best", "Worst"],
  };
  const finish = (text) => { if (source) source.close(); source = null; stop.hidden = true; status.textContent = text; };
  stop.addEventListener("click", () => finish("Stopped."));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (source) source.close();
    const data = new FormData(form);
    const params = new URLSearchParams();
    for (const [k, v] of data) if (v) params.set(k, v);
    if (data.get("device")) params.delete("address");
    const tool = data.get("tool");
    out.hidden = false;
    out.tHead.innerHTML = "<tr>" + heads[tool].map((h) => `<th>${h}</th>`).join("") + "</tr>";
    out.tBodies[0].innerHTML = "";
    summary.textContent = "";
    status.textContent = "Running…";
    stop.hidden = false;
    source = new EventSource(`/diagnostics/stream/?${params}`);
    const row = (cells) => { const tr = document.createElement("tr"); tr.innerHTML = cells.map((c, i) => `<td data-label="${heads[tool][i]}">${c}</td>`).join(""); return tr; };
    source.addEventListener("start", (e) => { const d = JSON.parse(e.data); document.getElementById("diag-title").textContent = `${d.tool} ${d.query}` + (d.query !== d.address ? ` (${d.address})` : ""); });
    source.addEventListener("reply", (e) => {
      const d = JSON.parse(e.data);
      out.tBodies[0].appendChild(row([d.seq, d.rtt_ms === null ? '<span class="lost">no reply</span>' : ms(d.rtt_ms)]));
    });
    source.addEventListener("hop", (e) => {
      const h = JSON.parse(e.data).hop;
      out.tBodies[0].appendChild(row([h.ttl, h.addresses.join(", ") || "*", h.rtts_ms.map(ms).join(" · ")]));
    });
    source.addEventListener("table", (e) => {
      const d = JSON.parse(e.data);
      out.tBodies[0].innerHTML = "";
      for (const h of d.hops) out.tBodies[0].appendChild(row([h.ttl, h.addresses.join(", ") || "*", h.loss_pct.toFixed(0) + " %", h.sent, ms(h.last_ms), ms(h.avg_ms), ms(h.best_ms), ms(h.worst_ms)]));
      status.textContent = `Cycle ${d.cycle}…`;
    });
    source.addEventListener("done", (e) => {
      const d = JSON.parse(e.data);
      if (tool === "ping") summary.textContent = `${d.received}/${d.sent} replies, ${d.loss_pct} % loss` + (d.received ? `, rtt min/avg/max ${ms(d.min_ms)} / ${ms(d.avg_ms)} / ${ms(d.max_ms)}` : "");
      if (tool === "traceroute") summary.textContent = d.is_complete ? "Reached the target." : "The target did not answer.";
      finish("Done.");
    });
    source.addEventListener("problem", (e) => finish("Failed: " + JSON.parse(e.data).message));
    source.onerror = () => { if (source) finish("The connection closed (not allowed, or the server stopped)."); };
  });
}

document.addEventListener("DOMContentLoaded", () => {
  showOffline();
  const page = document.body.dataset.page;
  if (page === "board") { setLive("poll"); connectBoard(1000); }
  if (page === "device") setupDevice();
  if (page === "diagnostics") setupDiagnostics();
});
