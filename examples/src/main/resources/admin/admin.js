// The Parley dashboard: asks for the admin token, then polls /admin/stats with it in an
// Authorization header (never in a URL) and draws what it gets. Every value is written with
// textContent or as an SVG attribute: nothing from the server is parsed as HTML.
"use strict";
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const $ = id => document.getElementById(id);
  let token = null;
  let timer = null;

  $("login").addEventListener("submit", e => {
    e.preventDefault();
    token = $("token").value;
    $("token").value = "";
    $("login-error").textContent = "";
    poll();
  });

  function signOut(message) {
    token = null;
    clearTimeout(timer);
    $("board").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message;
    setState("signed out", "");
  }

  function setState(text, cls) {
    $("state").textContent = text;
    $("state").className = "state " + cls;
  }

  async function poll() {
    if (token === null) {
      return;
    }
    let interval = 2000;
    try {
      const res = await fetch("/admin/stats", {
        headers: { "Authorization": "Bearer " + token },
        cache: "no-store",
        credentials: "omit"
      });
      if (res.status === 401) {
        signOut("That token was refused.");
        return;
      }
      if (res.status === 429) {
        signOut("Too many wrong tokens: wait a few seconds.");
        return;
      }
      if (!res.ok) {
        throw new Error("HTTP " + res.status);
      }
      const stats = await res.json();
      interval = Math.max(500, Math.min(stats.intervalMs, 5000));
      $("login").hidden = true;
      $("board").hidden = false;
      render(stats);
      setState("live", "live");
      health();
    } catch (err) {
      setState("cannot reach the server (" + err.message + ")", "failing");
    }
    timer = setTimeout(poll, interval);
  }

  async function health() {
    try {
      const res = await fetch("/health", { cache: "no-store", credentials: "omit" });
      $("health").textContent = res.ok ? "ready" : await res.text();
    } catch (err) {
      $("health").textContent = "unreachable";
    }
  }

  function render(s) {
    $("node").textContent = "node " + s.node;
    $("connections").textContent = s.totals.connections;
    $("rooms").textContent = s.totals.rooms;
    $("messages-total").textContent = s.totals.messagesReceived;
    $("queued").textContent = bytes(s.totals.outboundQueueBytes);
    $("messages-rate").textContent = last(s.series.messagesPerSecond);
    $("deliveries-rate").textContent = last(s.series.deliveriesPerSecond);
    chart($("chart-connections"), s.series.connections);
    chart($("chart-rooms"), s.series.rooms);
    chart($("chart-messages"), s.series.messagesPerSecond);
    chart($("chart-deliveries"), s.series.deliveriesPerSecond);
    rows($("slowest"), s.slowest.map(q =>
        [q.user, q.connection, q.transport, bytes(q.queuedBytes)]), "nothing queued", 4);
    rows($("errors"), Object.entries(s.errorsByCode), "no errors", 2);
    const closes = Object.entries(s.closesByCode).map(([k, v]) => ["closed: " + k, v])
        .concat(Object.entries(s.refusedByReason).map(([k, v]) => ["refused: " + k, v]));
    rows($("closes"), closes, "none", 2);
  }

  function last(values) {
    return values.length ? values[values.length - 1] : 0;
  }

  function bytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1024 / 1024).toFixed(1) + " MiB";
  }

  function rows(table, data, emptyText, columns) {
    const body = table.tBodies[0];
    body.replaceChildren();
    if (data.length === 0) {
      const td = document.createElement("td");
      td.colSpan = columns;
      td.className = "empty";
      td.textContent = emptyText;
      body.append(row([td]));
      return;
    }
    for (const values of data) {
      body.append(row(values.map(v => {
        const td = document.createElement("td");
        td.textContent = String(v);
        return td;
      })));
    }
  }

  function row(cells) {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }

  // A line over the samples, scaled to the largest (at least 1), in a 300 × 100 box.
  function chart(svg, values) {
    svg.replaceChildren();
    const max = Math.max(1, ...values);
    const n = values.length;
    const points = values.map((v, i) => {
      const x = n < 2 ? 300 : (i * 300) / (n - 1);
      const y = 95 - (v / max) * 85;
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    if (points.length > 0) {
      const area = document.createElementNS(SVG, "polygon");
      area.setAttribute("class", "area");
      area.setAttribute("points", "0,95 " + points.join(" ") + " 300,95");
      const line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", points.join(" "));
      svg.append(area, line);
    }
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", "2");
    label.setAttribute("y", "9");
    label.textContent = "max " + max;
    svg.append(label);
  }
})();
