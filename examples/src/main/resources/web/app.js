"use strict";
// Parley's example chat page: wire protocol v1 (docs/PROTOCOL.md) over a plain browser WebSocket.
// User text is only ever put into the page with textContent, never as HTML.

const $ = id => document.getElementById(id);
const app = {
  name: null,        // what the user typed at login
  me: null,          // {id, name} from welcome
  ws: null,
  delay: 500,        // reconnect backoff: 0.5 s doubling to 30 s, with jitter
  rooms: new Map(),  // room -> {seq, epoch, members: Map(id -> name), unread, messages: Map(seq -> msg)}
  current: null,
  pending: new Map(), // cid -> send frame, re-sent with the same cid after a reconnect
  typingTimers: new Map(),
  lastTypingSent: 0,
};

const newCid = () => (crypto.randomUUID ? crypto.randomUUID()
    : Date.now().toString(36) + Math.random().toString(36).slice(2));
const dmRoom = (a, b) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);
const peerOf = room => { const [, a, b] = room.split(":"); return a === app.me.id ? b : a; };
const label = room => (room.startsWith("dm:") ? "@" + peerOf(room) : "#" + room);

function room(name) {
  let r = app.rooms.get(name);
  if (!r) {
    r = {seq: 0, epoch: undefined, members: new Map(), unread: 0, messages: new Map()};
    app.rooms.set(name, r);
  }
  return r;
}

function send(frame) {
  if (app.ws && app.ws.readyState === WebSocket.OPEN) {
    app.ws.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

// ---- connection -------------------------------------------------------------------------------

function setState(s) {
  $("state").textContent = s;
  $("state").className = "state " + s;
}

function connect() {
  setState(app.delay > 500 ? "reconnecting" : "connecting");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/chat?name=${encodeURIComponent(app.name)}`,
      "parley.v1");
  app.ws = ws;
  ws.onmessage = e => handle(JSON.parse(e.data));
  ws.onclose = e => {
    if (app.ws !== ws) return;
    if (e.code === 4401) {                      // refused: back to the login form, with the reason
      app.name = null;
      $("chat").hidden = true;
      $("login").hidden = false;
      $("login-error").textContent = e.reason || "refused";
      setState("disconnected");
      return;
    }
    setState("reconnecting");
    notice(`connection lost (${e.code}${e.reason ? ": " + e.reason : ""}); reconnecting…`);
    setTimeout(connect, app.delay * (0.5 + Math.random() / 2));
    app.delay = Math.min(app.delay * 2, 30000);
  };
}

function handle(f) {
  switch (f.type) {
    case "welcome": return onWelcome(f);
    case "joined": return onJoined(f);
    case "left": return onLeft(f);
    case "message": return onMessage(f);
    case "ack": return onAck(f);
    case "history": return onHistory(f);
    case "presence": return onPresence(f);
    case "typing": return onTyping(f);
    case "error": return onError(f);
    default: return; // pong, read, and anything newer: nothing to show
  }
}

function onWelcome(f) {
  app.me = f.user;
  app.delay = 500;
  setState("connected");
  notice("");
  $("me").textContent = f.user.name;
  $("login").hidden = true;
  $("chat").hidden = false;
  if (app.rooms.size === 0) room("general");
  for (const [name, r] of app.rooms) {       // join again, resuming after the last seq seen
    const frame = {type: "join", room: name};
    if (r.epoch !== undefined) { frame.since = r.seq; frame.epoch = r.epoch; }
    send(frame);
  }
  for (const frame of app.pending.values()) send(frame); // same cid: the server stores it once
  if (!app.current) switchTo("general");
  render();
}

function onJoined(f) {
  const r = room(f.room);
  r.members = new Map(f.members.map(u => [u.id, u.name]));
  if (f.recovered === undefined) {           // a fresh join: live from here, history for context
    r.seq = Math.max(r.seq, f.seq);
    r.unread = f.room === app.current ? 0 : f.unread;
    if (f.seq > 0) send({type: "history", room: f.room, limit: 50});
  } else if (f.recovered === false) {
    if (f.epoch !== r.epoch) {               // new history (server restarted): start over
      r.messages.clear();
      r.seq = f.seq;
      if (f.seq > 0) send({type: "history", room: f.room, limit: 50});
    }
    addMessage(r, {seq: r.seq + 0.5, gap: true, body: "some messages could not be recovered"});
  }
  r.epoch = f.epoch;
  if (f.truncated) send({type: "join", room: f.room, since: r.seq, epoch: r.epoch});
  render();
}

function onLeft(f) {
  app.rooms.delete(f.room);
  if (app.current === f.room) app.current = app.rooms.keys().next().value || null;
  render();
}

function addMessage(r, m) {
  if (!r.messages.has(m.seq)) r.messages.set(m.seq, m);
}

function onMessage(f) {
  const known = app.rooms.has(f.room);
  const r = room(f.room);
  if (!known && f.room.startsWith("dm:")) send({type: "join", room: f.room}); // resume DMs too
  if (r.messages.has(f.seq)) return;          // seen already (replay after a reconnect)
  addMessage(r, f);
  r.seq = Math.max(r.seq, f.seq);
  if (f.room === app.current) send({type: "read", room: f.room, seq: r.seq});
  else r.unread++;
  render();
}

function onAck(f) {
  const frame = app.pending.get(f.cid);
  app.pending.delete(f.cid);
  if (!frame) return;
  const r = room(f.room);
  addMessage(r, {id: f.id, room: f.room, seq: f.seq, from: app.me.id, name: app.me.name,
                 body: frame.body, ts: f.ts});
  r.seq = Math.max(r.seq, f.seq);
  render();
}

function onHistory(f) {
  const r = room(f.room);
  for (const m of f.messages) addMessage(r, m);
  render();
}

function onPresence(f) {
  const r = room(f.room);
  if (f.state === "join") r.members.set(f.user, f.name); else r.members.delete(f.user);
  render();
}

function onTyping(f) {
  if (f.room !== app.current) return;
  clearTimeout(app.typingTimers.get(f.from));
  $("typing").textContent = `${f.name} is typing…`;
  app.typingTimers.set(f.from, setTimeout(() => { $("typing").textContent = ""; }, 3000));
}

function onError(f) {
  if (f.cid && app.pending.has(f.cid)) {
    app.pending.delete(f.cid);
    render();
  }
  notice(`${f.code}: ${f.message}`);
}

function notice(text) {
  $("notice").textContent = text;
}

// ---- rendering --------------------------------------------------------------------------------

function li(text, className) {
  const el = document.createElement("li");
  if (className) el.className = className;
  el.textContent = text;
  return el;
}

function render() {
  const rooms = $("rooms");
  rooms.replaceChildren();
  for (const [name, r] of app.rooms) {
    const el = li(label(name), name === app.current ? "active" : "");
    el.dataset.room = name;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = r.unread > 0 ? String(r.unread) : "";
    el.append(badge);
    el.onclick = () => switchTo(name);
    rooms.append(el);
  }
  const r = app.current && app.rooms.get(app.current);
  $("room-title").textContent = app.current ? label(app.current) : "";
  const users = $("users");
  users.replaceChildren();
  if (r) {
    for (const [id, name] of r.members) {
      const el = li(name + (id === app.me.id ? " (you)" : ""));
      el.dataset.user = id;
      if (id !== app.me.id) el.onclick = () => openDirect(id);
      users.append(el);
    }
  }
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  if (r) {
    const sorted = [...r.messages.values()].sort((a, b) => a.seq - b.seq).slice(-500);
    for (const m of sorted) list.append(m.gap ? li("— " + m.body + " —", "gap") : line(m));
    for (const p of app.pending.values()) {
      if (p.room === app.current) list.append(line({name: app.me.name, body: p.body}, "pending"));
    }
    const first = sorted.find(m => !m.gap);
    $("older").hidden = !first || first.seq <= 1;
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function line(m, className) {
  const el = document.createElement("li");
  if (className) el.className = className;
  const time = document.createElement("span");
  time.className = "time";
  time.textContent = m.ts ? new Date(m.ts).toLocaleTimeString() : "…";
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = m.name;
  const body = document.createElement("span");
  body.className = "body";
  body.textContent = m.body;
  el.append(time, from, body);
  if (m.seq !== undefined) el.dataset.seq = m.seq;
  return el;
}

// ---- actions ----------------------------------------------------------------------------------

function switchTo(name) {
  app.current = name;
  const r = room(name);
  r.unread = 0;
  if (r.seq > 0) send({type: "read", room: name, seq: r.seq});
  $("typing").textContent = "";
  render();
}

function openDirect(user) {
  const name = dmRoom(app.me.id, user);
  if (!app.rooms.has(name)) {
    room(name);
    send({type: "join", room: name});
  }
  switchTo(name);
}

$("login").onsubmit = e => {
  e.preventDefault();
  app.name = $("name").value.trim();
  $("login-error").textContent = "";
  connect();
};

$("join-form").onsubmit = e => {
  e.preventDefault();
  const name = $("new-room").value.trim();
  if (!name) return;
  $("new-room").value = "";
  if (!app.rooms.has(name)) {
    room(name);
    send({type: "join", room: name});
  }
  switchTo(name);
};

$("leave").onclick = () => {
  if (!app.current) return;
  if (!send({type: "leave", room: app.current})) onLeft({room: app.current});
};

$("send-form").onsubmit = e => {
  e.preventDefault();
  const body = $("input").value.trim();
  if (!body || !app.current) return;
  $("input").value = "";
  const frame = {type: "send", room: app.current, body, cid: newCid()};
  app.pending.set(frame.cid, frame);
  send(frame);                                   // if offline, it goes out after the reconnect
  render();
};

$("input").oninput = () => {
  const now = Date.now();
  if (app.current && now - app.lastTypingSent > 2000) {
    app.lastTypingSent = now;
    send({type: "typing", room: app.current});
  }
};

$("older").onclick = () => {
  const r = app.current && app.rooms.get(app.current);
  if (!r) return;
  const first = [...r.messages.values()].filter(m => !m.gap).sort((a, b) => a.seq - b.seq)[0];
  if (first) send({type: "history", room: app.current, before: first.seq, limit: 50});
};

// index.html?name=alice signs in at once (links, demos, tests)
const params = new URLSearchParams(location.search);
if (params.get("name")) {
  $("name").value = params.get("name");
  $("login").requestSubmit();
}
