"use strict";
// parley.js under test in Chromium (ParleyJsBrowserTest): a transport the test can cut or bend, and a
// record of everything each client reports, read back by the test in one script call.

window.net = {
  down: false, // new connections fail before they open, as with the network down
  swallowAcks: false, // acks are lost on their way in: the sends stay in the outbox
  liberalLimits: false, // welcome announces more than the server enforces (new connections)
  latency: 0, // ms every frame from the server takes to arrive (new connections)
  frames: [], // {user, dir: "in" | "out", frame} of every connection
};

/** The browser's WebSocket, under the test's control: a transport with WebSocket's shape. */
class TestSocket {
  constructor(url, protocols) {
    this.user = new URL(url).searchParams.get("name");
    this.liberal = net.liberalLimits;
    this.latency = net.latency;
    this.readyState = 0;
    this.protocol = "";
    this.onopen = this.onmessage = this.onerror = this.onclose = null;
    if (net.down) {
      setTimeout(() => this.closed({code: 1006, reason: "network down", wasClean: false}));
      return;
    }
    const ws = this.ws = new WebSocket(url, protocols);
    ws.onopen = () => {
      this.readyState = 1;
      this.protocol = ws.protocol;
      if (this.onopen) this.onopen({});
    };
    ws.onmessage = e => {
      const frame = JSON.parse(e.data);
      net.frames.push({user: this.user, dir: "in", frame});
      if (net.swallowAcks && frame.type === "ack") return;
      if (this.liberal && frame.type === "welcome") {
        frame.limits = {...frame.limits, messagesPerSecond: 1000, messageBurst: 1000};
      }
      const data = JSON.stringify(frame);
      if (this.latency > 0) { // timers of equal delay run in order: frames keep theirs
        setTimeout(() => { if (this.onmessage) this.onmessage({data}); }, this.latency);
      } else if (this.onmessage) {
        this.onmessage({data});
      }
    };
    ws.onerror = () => { if (this.onerror) this.onerror({}); };
    ws.onclose = e => this.closed(e);
  }

  closed(e) {
    this.readyState = 3;
    if (this.onclose) this.onclose({code: e.code, reason: e.reason, wasClean: e.wasClean});
  }

  send(text) {
    net.frames.push({user: this.user, dir: "out", frame: JSON.parse(text)});
    this.ws.send(text);
  }

  close(code, reason) {
    if (this.ws) this.ws.close(code, reason);
  }
}

/** A transport whose handshake always fails: what a network that blocks WebSocket looks like. */
class BlockedSocket {
  constructor() {
    BlockedSocket.made = (BlockedSocket.made || 0) + 1;
    this.readyState = 0;
    setTimeout(() => {
      this.readyState = 3;
      if (this.onclose) this.onclose({code: 1006, reason: "", wasClean: false});
    });
  }

  send() {}

  close() {}
}

window.clients = {};

/** Connects `name` through TestSocket with fast reconnects, recording what it reports. */
function start(name, options = {}) {
  const chat = Parley.connect("/chat", {name, transports: [TestSocket],
    backoff: {initial: 50, max: 200}, ...options});
  const log = {states: [], messages: [], joined: [], gaps: [], presence: [], typing: [], read: [],
    errors: []};
  chat.on("state", s => log.states.push(s)).on("message", m => log.messages.push(m))
      .on("joined", j => log.joined.push(j)).on("gap", g => log.gaps.push(g))
      .on("presence", p => log.presence.push(p)).on("typing", t => log.typing.push(t))
      .on("read", r => log.read.push(r)).on("error", e => log.errors.push(e.code));
  clients[name] = {chat, log};
  return chat;
}

/** "seq:body" of what a client was shown, in the order shown. */
function shown(name) {
  return clients[name].log.messages.map(m => `${m.seq}:${m.body}`);
}
