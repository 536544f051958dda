"use strict";
// Parley's example chat page, on parley.js (the browser client, served at /parley/parley.js):
// the client does acks, reconnect, resume and the outbox; this page only shows what it reports.
// User text is only ever put into the page with textContent, never as HTML.

const $ = id => document.getElementById(id);
let chat = null;
let current = null; // the room shown
const shown = new Map(); // room -> Map(seq -> message, or a gap marker at seq + 0.5)
const pending = new Set(); // {room, body}: sent, not acknowledged yet
const typists = new Map(); // user -> timer that clears the typing line

const label = name => {
  if (!name.startsWith("dm:")) return "#" + name;
  const [, a, b] = name.split(":");
  return "@" + (a === chat.user.id ? b : a);
};
const messagesOf = room => shown.get(room) || shown.set(room, new Map()).get(room);
const add = (m, seq = m.seq) => messagesOf(m.room).set(seq, m);
const notice = text => { $("notice").textContent = text; };

function setState(text) {
  $("state").textContent = text;
  $("state").className = "state " + text;
}

function signIn(name) {
  setState("connecting");
  shown.clear();
  pending.clear();
  chat = Parley.connect("/chat", {name});
  chat.on("state", s => {
    if (s.state === "connected") {
      notice("");
      $("me").textContent = chat.user.name;
      $("login").hidden = true;
      $("chat").hidden = false;
      if (!current) switchTo(chat.join("general").name);
    } else if (s.state === "closed") {
      $("chat").hidden = true; // refused (4401), or closed for good: back to the login form
      $("login").hidden = false;
      $("login-error").textContent = s.reason || "disconnected";
      current = null;
    } else if (s.code) {
      const what = s.state === "connecting" ? "cannot connect" : "connection lost";
      notice(`${what} (${s.code}${s.reason ? ": " + s.reason : ""}); trying again…`);
    }
    setState(s.state === "closed" ? "disconnected" : s.state);
    render();
  });
  chat.on("joined", j => {
    if (j.recovered === undefined && j.seq > 0) loadHistory(j.room); // a fresh join: some context
    render();
  });
  chat.on("message", m => {
    if (m.room.startsWith("dm:")) chat.join(m.room); // a conversation's members and read marker
    add(m);
    if (m.room === current) chat.room(m.room).markRead();
    render();
  });
  chat.on("gap", g => {
    if (g.epochChanged) { // the server lost the room's history: start over from what it has now
      messagesOf(g.room).clear();
      loadHistory(g.room);
    }
    add({room: g.room, gap: true, body: "some messages could not be recovered"},
        (g.epochChanged ? g.resumedAt : g.lastSeen) + 0.5);
    render();
  });
  chat.on("typing", t => {
    if (t.room !== current) return;
    clearTimeout(typists.get(t.from));
    $("typing").textContent = `${t.name} is typing…`;
    typists.set(t.from, setTimeout(() => { $("typing").textContent = ""; }, 3000));
  });
  chat.on("presence", render).on("read", render);
  chat.on("error", e => notice(`${e.code}: ${e.message}`));
}

function loadHistory(room, before) {
  chat.room(room)?.history({before, limit: 50}).then(list => {
    for (const m of list) add(m);
    render();
  }, e => notice(`${e.code}: ${e.message}`));
}

function switchTo(name) {
  current = name;
  chat.room(name)?.markRead();
  $("typing").textContent = "";
  render();
}

// ---- rendering --------------------------------------------------------------------------------

function li(text, className) {
  const el = document.createElement("li");
  if (className) el.className = className;
  el.textContent = text;
  return el;
}

function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}

function line(m, className) {
  const el = li("", className);
  el.append(span("time", m.ts ? new Date(m.ts).toLocaleTimeString() : "…"), span("from", m.name),
      span("body", m.body));
  if (m.seq !== undefined) el.dataset.seq = m.seq;
  return el;
}

function render() {
  if (!chat || !chat.user) return;
  $("rooms").replaceChildren(...chat.rooms.map(r => {
    const el = li(label(r.name), r.name === current ? "active" : "");
    el.dataset.room = r.name;
    el.append(span("badge", r.name !== current && r.unread > 0 ? String(r.unread) : ""));
    el.onclick = () => switchTo(r.name);
    return el;
  }));
  const room = current && chat.room(current);
  $("room-title").textContent = room ? label(current) : "";
  $("users").replaceChildren(...(room ? room.members : []).map(u => {
    const el = li(u.name + (u.id === chat.user.id ? " (you)" : ""));
    el.dataset.user = u.id;
    const direct = Parley.directRoom(chat.user.id, u.id);
    if (u.id !== chat.user.id) el.onclick = () => switchTo(chat.join(direct).name);
    return el;
  }));
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const sorted = !room ? []
    : [...messagesOf(current)].sort((a, b) => a[0] - b[0]).map(e => e[1]).slice(-500);
  list.replaceChildren(...sorted.map(m => (m.gap ? li("— " + m.body + " —", "gap") : line(m))),
      ...[...pending].filter(p => p.room === current)
          .map(p => line({name: chat.user.name, body: p.body}, "pending")));
  const first = sorted.find(m => !m.gap);
  $("older").hidden = !first || first.seq <= 1;
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---- actions ----------------------------------------------------------------------------------

$("login").onsubmit = e => {
  e.preventDefault();
  $("login-error").textContent = "";
  signIn($("name").value.trim());
};

$("join-form").onsubmit = e => {
  e.preventDefault();
  const name = $("new-room").value.trim();
  if (!name) return;
  $("new-room").value = "";
  chat.join(name).ready.catch(err => notice(`${err.code}: ${err.message}`)).finally(render);
  switchTo(name);
};

$("leave").onclick = () => {
  const room = current && chat.room(current);
  if (!room) return;
  room.leave();
  current = chat.rooms[0]?.name ?? null;
  render();
};

$("send-form").onsubmit = e => {
  e.preventDefault();
  const body = $("input").value.trim();
  const room = current && chat.room(current);
  if (!body || !room) return;
  $("input").value = "";
  const p = {room: current, body};
  pending.add(p); // shown as pending until the ack; if offline, it goes out after the reconnect
  room.send(body).catch(err => notice(`${err.code}: ${err.message}`))
      .finally(() => { pending.delete(p); render(); });
  render();
};

$("input").oninput = () => current && chat.room(current)?.typing();

$("older").onclick = () => {
  const seqs = [...messagesOf(current).values()].filter(m => !m.gap).map(m => m.seq);
  if (seqs.length > 0) loadHistory(current, Math.min(...seqs));
};

// index.html?name=alice signs in at once (links, demos, tests)
const params = new URLSearchParams(location.search);
if (params.get("name")) {
  $("name").value = params.get("name");
  $("login").requestSubmit();
}
