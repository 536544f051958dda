/*
 * parley.js: the browser client of Parley's wire protocol v1. One file, no dependencies, no build
 * step; modern browsers (ES2020). The API is documented in docs/CLIENT.md, the protocol in
 * docs/PROTOCOL.md.
 *
 *   const chat = Parley.connect("/chat", {name: "alice"});
 *   const general = chat.join("general").on("message", m => show(m.name, m.body));
 *   general.send("hello").then(m => console.log("stored as", m.seq));
 *
 * A client connects at once and stays connected: connecting -> connected -> (reconnecting ->
 * connected)* -> closed. While it is not connected, sends wait in an outbox and go out after the
 * reconnect with the same cid (so the server stores each once), rooms are joined again with
 * `since`/`epoch` (so missed messages arrive once, in order), and a lost history is a `gap` event.
 * Where the WebSocket handshake fails (a network that refuses the upgrade), the same frames go
 * over plain HTTP (HttpSocket: Server-Sent Events or long polls down, POSTs up).
 * Handlers run on the page's event loop; a handler that throws is reported (reportError) and
 * the client carries on.
 */
(function (global) {
  "use strict";

  const PROTOCOL = "parley.v1";
  /** Close codes after which the client stays closed (docs/PROTOCOL.md, "Close codes"). */
  const FINAL = new Set([1000, 1002, 1003, 1007, 1008, 1009, 4401]);
  /** Close codes after which it retries later: an overloaded server, too many connections. */
  const LATER = new Set([1013, 4429]);
  const LATER_MS = 10000;
  const TYPING_INTERVAL_MS = 2000;
  /** The share of the server's bursts the pacer leaves unused: frames arrive unevenly. */
  const HEADROOM = 0.25;
  /** Errors after which a send (or join) is retried with the same cid, after this pause. */
  const RETRY_PAUSE_MS = {rate_limited: 250, unavailable: 1000};
  const DEFAULTS = {
    backoff: {initial: 500, max: 30000, multiplier: 2, jitter: "equal"},
    connectTimeout: 10000, pingInterval: 25000, ackTimeout: 10000,
  };
  const ROOM_EVENTS = ["message", "joined", "gap", "presence", "typing", "read"];
  const CLIENT_EVENTS = ["state", ...ROOM_EVENTS, "error"];
  const NONE = -1;
  const now = () => performance.now();
  const report = typeof global.reportError === "function" ? e => global.reportError(e)
      : e => setTimeout(() => { throw e; });

  /** An error frame, a refusal, or a client closed for good (code "closed", with closeCode). */
  class ParleyError extends Error {
    constructor(code, message, closeCode) {
      super(message || code);
      this.name = "ParleyError";
      this.code = code;
      if (closeCode !== undefined) this.closeCode = closeCode;
    }
  }

  function deferred() {
    const d = {};
    d.promise = new Promise((resolve, reject) => { d.resolve = resolve; d.reject = reject; });
    d.promise.catch(() => {}); // awaiting it is optional: no "unhandled rejection" when nobody does
    return d;
  }

  class Emitter {
    constructor(types) {
      this._types = types;
      this._handlers = new Map();
    }

    /** Calls handler(event) for each event of this type from now on; returns this. */
    on(type, handler) {
      if (!this._types.includes(type)) {
        throw new TypeError(`unknown event "${type}": one of ${this._types.join(", ")}`);
      }
      if (typeof handler !== "function") throw new TypeError("handler must be a function");
      if (!this._handlers.has(type)) this._handlers.set(type, []);
      this._handlers.get(type).push(handler);
      return this;
    }

    /** Removes a handler added with on; returns this. */
    off(type, handler) {
      const list = this._handlers.get(type) || [];
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
      return this;
    }

    _emit(type, event) {
      for (const handler of [...(this._handlers.get(type) || [])]) {
        try {
          handler.call(this, event);
        } catch (e) {
          report(e);
        }
      }
    }
  }

  // ---- pacing: the server's rate rule, copied (the JVM client's Pacer) --------------------------

  /** burst tokens, refilled at perSecond; one per frame. Times are performance.now() readings. */
  class Bucket {
    constructor(perSecond, burst, t) {
      this.perMs = perSecond / 1000;
      this.burst = burst;
      this.tokens = burst;
      this.last = t;
    }

    refill(t) {
      if (t > this.last) {
        this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.perMs);
        this.last = t;
      }
    }

    take(t) { this.refill(t); this.tokens -= 1; }

    /** Milliseconds until a whole token is there; 0 when there is one now. */
    wait(t) {
      this.refill(t);
      return this.tokens >= 1 ? 0 : Math.max(0, this.last - t) + (1 - this.tokens) / this.perMs + 1;
    }

    /** Empty, and nothing added for hold ms: the server refused a frame, so its bucket is empty. */
    empty(t, hold) {
      this.refill(t);
      this.tokens = Math.min(this.tokens, 0);
      this.last = Math.max(this.last, t + hold);
    }
  }

  function bucket(limits, rate, burst, t) {
    const r = limits && limits[rate], b = limits && limits[burst];
    if (typeof r !== "number" || typeof b !== "number" || !(r > 0) || !(b >= 1)
        || !isFinite(r) || !isFinite(b)) {
      return null; // not announced: not paced
    }
    return new Bucket(r, Math.max(1, b * (1 - HEADROOM)), t);
  }

  /** The two buckets welcome.limits announces: sends, and frames of any kind but ping. */
  class Pacer {
    reset(limits, t) {
      this.messages = bucket(limits, "messagesPerSecond", "messageBurst", t);
      this.frames = bucket(limits, "framesPerSecond", "frameBurst", t);
    }

    sendRateKnown() { return !!this.messages; }

    untilSend(t) {
      const m = this.messages ? this.messages.wait(t) : 0;
      return Math.max(m, this.frames ? this.frames.wait(t) : 0);
    }

    sendLeft(t) {
      if (this.messages) this.messages.take(t);
      this.frameLeft(t);
    }

    /** Any other frame leaves, even into debt: the sends behind it wait, not refused. */
    frameLeft(t) { if (this.frames) this.frames.take(t); }

    frameFree(t) { return !this.frames || this.frames.wait(t) === 0; }

    refused(t, hold) {
      if (this.messages) this.messages.empty(t, hold);
      if (this.frames) this.frames.empty(t, hold);
    }
  }

  // ---- the outbox (the JVM client's Outbox) -----------------------------------------------------

  /**
   * Sends waiting for their answer, in the order made. While connected they leave in order, as
   * fast as the Pacer allows; on a disconnect every one waits again and leaves after the next
   * welcome as the same frame, so with the same cid. A send refused as rate_limited (or
   * unavailable) goes again after a pause, before those behind it, and from then on, for that
   * connection, one send is on the wire at a time: the server stores them in the order made.
   */
  class Outbox {
    constructor(pacer) {
      this.pacer = pacer;
      this.entries = new Map(); // cid -> entry, in the order made
      this.waiting = []; // entries not on the wire, in the order made
      this.send = null; // where frames leave, while connected
      this.onWire = 0;
      this.oneAtATime = false;
      this.timer = null;
    }

    add(entry) {
      this.entries.set(entry.cid, entry);
      this.waiting.push(entry);
      this.pump();
    }

    connected(send) {
      this.send = send;
      this.cancel();
      this.oneAtATime = !this.pacer.sendRateKnown();
      this.pump();
    }

    disconnected() {
      this.send = null;
      this.cancel();
      this.onWire = 0;
      this.oneAtATime = false;
      this.waiting = [...this.entries.values()];
      for (const e of this.waiting) e.onWire = false;
    }

    /** The send's answer came (an ack, or an error that ends it): it leaves the outbox. */
    remove(cid) {
      const e = this.entries.get(cid);
      if (!e) return undefined;
      this.entries.delete(cid);
      if (e.onWire) {
        e.onWire = false;
        this.onWire--;
      } else if (this.waiting.includes(e)) {
        this.waiting.splice(this.waiting.indexOf(e), 1);
      }
      this.pump();
      return e;
    }

    refused(cid, pauseMs) {
      const e = this.entries.get(cid);
      if (!e) return false;
      if (e.onWire) {
        e.onWire = false;
        this.onWire--;
      }
      this.waiting = [...this.entries.values()].filter(w => !w.onWire);
      this.oneAtATime = true;
      this.pacer.refused(now(), pauseMs);
      this.cancel();
      this.pump();
      return true;
    }

    failAll(error) {
      this.cancel();
      for (const e of this.entries.values()) e.reject(error);
      this.entries.clear();
      this.waiting = [];
      this.onWire = 0;
    }

    /** Sends again (same cid) what is on the wire unanswered for ackTimeout, as the rate allows. */
    resendUnanswered(ackTimeout) {
      if (!this.send) return;
      const t = now();
      for (const e of this.entries.values()) {
        if (e.onWire && t - e.sentAt > ackTimeout) {
          if (this.pacer.untilSend(t) > 0) return; // the next tick tries again
          this.pacer.sendLeft(t);
          e.sentAt = t;
          this.send(e.frame);
        }
      }
    }

    pump() {
      if (!this.send || this.timer !== null) return;
      while (this.waiting.length > 0) {
        if (this.oneAtATime && this.onWire > 0) return; // the answer's pump sends the next
        const t = now();
        const wait = this.pacer.untilSend(t);
        if (wait > 0) {
          this.timer = setTimeout(() => { this.timer = null; this.pump(); }, wait);
          return;
        }
        const e = this.waiting.shift();
        this.pacer.sendLeft(t);
        e.onWire = true;
        e.sentAt = t;
        this.onWire++;
        this.send(e.frame);
      }
    }

    cancel() {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    }
  }

  // ---- rooms ------------------------------------------------------------------------------------

  /**
   * A room or a direct conversation (dm:<a>:<b>) of one client: chat.join(name) or chat.room(name).
   * Its state is read-only here; it changes as frames arrive.
   */
  class Room extends Emitter {
    constructor(client, name) {
      super(ROOM_EVENTS);
      this._client = client;
      this._name = name;
      this._direct = name.startsWith("dm:");
      this._seq = 0; // the last seq delivered (or, after a fresh join, the room's seq then)
      this._epoch = undefined;
      this._lastRead = 0;
      this._members = [];
      this._memberCount = 0;
      this._wanted = false; // to be joined again on every reconnect
      this._joinPending = false; // asked for, not joined yet
      this._everJoined = false;
      this._left = false;
      this._joinCid = null;
      this._joinSince = undefined;
      this._catchUpTo = NONE; // a truncated replay is being completed up to this seq
      this._readToSend = NONE;
      this._lastTyping = -Infinity;
      this._histories = []; // history requests, one on the wire at a time
      this._ready = deferred();
    }

    get name() { return this._name; }
    get direct() { return this._direct; }
    /** The seq of the last message delivered (after a fresh join: the room's seq at the join). */
    get seq() { return this._seq; }
    get epoch() { return this._epoch; }
    get lastRead() { return this._lastRead; }
    /** seq - lastRead: your own messages count as read. */
    get unread() { return Math.max(0, this._seq - this._lastRead); }
    /** Users ({id, name}) in join order: as the server listed them, and presence since. */
    get members() { return this._members.slice(); }
    get memberCount() { return this._memberCount; }
    /** Whether the server confirmed a join (and the room was not left since). */
    get joined() { return this._everJoined && !this._left; }
    /** Resolves with the room at its first "joined"; rejects when the server refuses the join. */
    get ready() { return this._ready.promise; }

    /** Sends a message; resolves with the stored message at its ack, rejects on an error. */
    send(body) { return this._client._enqueue(this, this._name, undefined, body); }

    /** Up to limit messages with seq < before (default: the newest), oldest first. */
    history({before, limit = 50} = {}) { return this._client._history(this, before, limit); }

    /** Tells the others you are typing: call it on every keystroke, it is throttled. */
    typing() { this._client._typing(this); }

    /** Moves your read marker to seq (default: the last message delivered). */
    markRead(seq = this._seq) { this._client._markRead(this, seq); }

    /** Leaves the room: no rejoin on reconnect; resolves when the server confirmed. */
    leave() { return this._client._leave(this); }
  }

  // ---- the client -------------------------------------------------------------------------------

  class Client extends Emitter {
    constructor(url, options) {
      super(CLIENT_EVENTS);
      this._options = normalize(options);
      this._url = socketUrl(url, this._options);
      this._state = "connecting";
      this._user = null;
      this._limits = null;
      this._rooms = new Map();
      this._leaving = new Map(); // room name -> {room, cid, resolve}
      this._pacer = new Pacer();
      this._pacer.reset(null, 0);
      this._outbox = new Outbox(this._pacer);
      this._ready = deferred();
      this._cidPrefix = randomId() + "-";
      this._counter = 0;
      this._socket = null;
      this._opened = false;
      this._welcomed = false;
      this._everWelcomed = false;
      this._closed = false;
      this._attempt = 0;
      this._tIndex = 0; // the transport this attempt uses
      this._preferred = 0; // the transport that last got a welcome
      this._tried = 0; // transports that failed to open in this attempt
      this._transport = null;
      this._reconnectTimer = null;
      this._connectTimer = null;
      this._tickTimer = null;
      this._pongWaiters = [];
      this._lastInbound = 0;
      this._pingAt = -Infinity;
      this._onOnline = () => { // the network is back: do not wait for the backoff
        if (this._reconnectTimer !== null) {
          clearTimeout(this._reconnectTimer);
          this._attempt = 0;
          this._open();
        }
      };
      if (typeof global.addEventListener === "function") {
        global.addEventListener("online", this._onOnline);
      }
      this._open();
    }

    /** "connecting", "connected", "reconnecting" or "closed". */
    get state() { return this._state; }
    /** {id, name} as the server's welcome said; null before the first. */
    get user() { return this._user; }
    /** welcome.limits of the current (or last) connection; null before the first. */
    get limits() { return this._limits; }
    /** The WebSocket URL, with ?name= and the other params. */
    get url() { return this._url; }
    /** The transport (constructor) of the connection, while connected; null otherwise. */
    get transport() { return this._transport; }
    /** Resolves with the user at the first welcome; rejects if the client closes before one. */
    get ready() { return this._ready.promise; }
    /** Sends waiting for their ack. */
    get pendingSends() { return this._outbox.entries.size; }
    /** The rooms joined or being joined, and the direct conversations seen. */
    get rooms() { return [...this._rooms.values()].filter(r => !r._left); }

    /** A room by name (joined, being joined, or a direct conversation seen), or undefined. */
    room(name) {
      const r = this._rooms.get(name);
      return r && !r._left ? r : undefined;
    }

    /**
     * Joins a room (or dm:<a>:<b>) now and after every reconnect; returns it at once, so that its
     * handlers are in place before its first message. Joining again returns the same room.
     */
    join(name) {
      requireString(name, "room");
      let r = this._rooms.get(name);
      if (r && !r._left && (r._everJoined || r._joinPending)) return r;
      if (!r || r._left) {
        r = new Room(this, name);
        this._rooms.set(name, r);
      }
      if (this._closed) {
        r._ready.reject(this._closedError());
        return r;
      }
      r._wanted = true;
      r._joinPending = true;
      if (this._welcomed) this._sendJoin(r);
      return r;
    }

    /** A direct message to a user (room dm:<a>:<b>); like room.send. */
    sendTo(userId, body) {
      requireString(userId, "userId");
      return this._enqueue(null, undefined, userId, body);
    }

    /** Closes for good (1000): pending sends and joins reject with code "closed". */
    close() {
      if (this._closed) return;
      const s = this._socket;
      this._socket = null;
      if (s) {
        detach(s);
        try { s.close(1000); } catch (e) { /* already closing */ }
      }
      this._terminate(1000, "closed by the client");
    }

    // ---- connection -----------------------------------------------------------------------------

    _open() {
      this._reconnectTimer = null;
      if (this._closed) return;
      const Transport = this._options.transports[this._tIndex];
      let s;
      try {
        s = new Transport(this._url, PROTOCOL);
      } catch (e) { // a URL or port the browser refuses, a page on https asking for ws://, …
        s = failedSocket(e);
      }
      this._socket = s;
      this._opened = false;
      s.onopen = () => {
        if (this._socket === s) {
          this._opened = true;
          this._lastInbound = now();
        }
      };
      s.onmessage = e => { if (this._socket === s) this._onFrame(e.data); };
      s.onerror = () => {}; // the close follows
      s.onclose = e => {
        if (this._socket === s) {
          detach(s);
          this._onClosed(e.code || 1006, e.reason || "", this._opened);
        }
      };
      const ms = this._options.connectTimeout;
      this._connectTimer = setTimeout(() => {
        if (this._socket === s && !this._welcomed) this._abandon(`no welcome within ${ms} ms`);
      }, ms);
    }

    /** Gives up on the connection without waiting for its close handshake. */
    _abandon(reason) {
      const s = this._socket;
      if (!s) return;
      detach(s);
      try { s.close(); } catch (e) { /* already closing */ }
      this._onClosed(1006, reason, this._opened);
    }

    _onClosed(code, reason, opened) {
      clearTimeout(this._connectTimer);
      clearInterval(this._tickTimer);
      this._socket = null;
      this._welcomed = false;
      this._transport = null;
      this._outbox.disconnected();
      this._pongWaiters = [];
      for (const r of this._rooms.values()) {
        r._catchUpTo = NONE;
        r._joinCid = null;
        r._joinSince = undefined;
        if (r._histories.length > 0) r._histories[0].inFlight = false;
      }
      for (const [name, l] of this._leaving) { // the server left them with the connection
        if (this._rooms.get(name) === l.room) this._rooms.delete(name);
        l.resolve();
      }
      this._leaving.clear();
      if (this._closed) return;
      const transports = this._options.transports;
      if (!opened && ++this._tried < transports.length) { // the handshake failed: try the next
        this._tIndex = (this._tIndex + 1) % transports.length;
        this._open();
        return;
      }
      this._tried = 0;
      this._tIndex = this._preferred;
      if (FINAL.has(code)) {
        this._terminate(code, reason || "closed by the server");
        return;
      }
      const b = this._options.backoff;
      let d = Math.min(b.max, b.initial * Math.pow(b.multiplier, this._attempt++));
      if (LATER.has(code)) d = Math.max(d, LATER_MS);
      if (b.jitter === "full") d = Math.random() * d;
      if (b.jitter === "equal") d = d / 2 + Math.random() * d / 2;
      this._reconnectTimer = setTimeout(() => this._open(), d);
      const state = this._everWelcomed ? "reconnecting" : "connecting";
      this._setState(state, code, reason, Math.round(d));
    }

    _terminate(code, reason) {
      this._closed = true;
      this._welcomed = false;
      this._transport = null;
      clearTimeout(this._reconnectTimer);
      clearTimeout(this._connectTimer);
      clearInterval(this._tickTimer);
      if (typeof global.removeEventListener === "function") {
        global.removeEventListener("online", this._onOnline);
      }
      const why = `client closed: ${code}${reason ? " " + reason : ""}`;
      const error = new ParleyError("closed", why, code);
      this._closeCode = code;
      this._outbox.failAll(error);
      for (const r of this._rooms.values()) {
        for (const h of r._histories.splice(0)) h.reject(error);
        r._ready.reject(error);
      }
      for (const l of this._leaving.values()) l.resolve();
      this._leaving.clear();
      this._ready.reject(error);
      this._setState("closed", code, reason);
    }

    _closedError() {
      return new ParleyError("closed", "the client is closed", this._closeCode);
    }

    _setState(state, code, reason, retryIn) {
      this._state = state;
      this._emit("state", Object.freeze({state, code, reason, retryIn}));
    }

    /** Heartbeat and ack timeouts, while connected. */
    _tick() {
      const t = now();
      const ping = this._options.pingInterval;
      const awaitingPong = this._pingAt > this._lastInbound;
      if (awaitingPong && t - this._pingAt > ping) {
        this._abandon(`no answer from the server for ${Math.round(t - this._lastInbound)} ms`);
        return;
      }
      if (!awaitingPong && t - this._lastInbound >= ping) {
        this._pingAt = t;
        this._afterPong(() => {});
      }
      this._outbox.resendUnanswered(this._options.ackTimeout);
    }

    /** Runs action once every frame the server queued before our ping has arrived. */
    _afterPong(action) {
      this._pongWaiters.push(action);
      this._raw(JSON.stringify({type: "ping"}));
    }

    // ---- inbound --------------------------------------------------------------------------------

    _onFrame(text) {
      this._lastInbound = now();
      if (typeof text !== "string") return;
      let f;
      try {
        f = JSON.parse(text);
      } catch (e) {
        this._emit("error", new ParleyError("bad_frame", "an unreadable frame from the server"));
        return;
      }
      if (!f || typeof f.type !== "string") return;
      switch (f.type) {
        case "welcome": return this._onWelcome(f);
        case "joined": return this._onJoined(f);
        case "message": return this._onMessage(f);
        case "ack": return this._onAck(f);
        case "error": return this._onError(f);
        case "presence": return this._onPresence(f);
        case "typing": return this._onTyping(f);
        case "read": return this._onRead(f);
        case "history": return this._onHistory(f);
        case "left": return this._onLeft(f);
        case "pong": { const w = this._pongWaiters.shift(); if (w) w(); return; }
        default: return; // newer frames: ignored
      }
    }

    _onWelcome(f) {
      clearTimeout(this._connectTimer);
      const u = f.user || {};
      this._user = Object.freeze({id: u.id, name: u.name ?? u.id});
      this._limits = f.limits && typeof f.limits === "object" ? Object.freeze({...f.limits}) : null;
      const t = now();
      this._pacer.reset(this._limits, t);
      this._welcomed = true;
      this._everWelcomed = true;
      this._attempt = 0;
      this._tried = 0;
      this._preferred = this._tIndex;
      this._transport = this._options.transports[this._tIndex];
      this._lastInbound = t;
      this._pingAt = -Infinity;
      for (const r of this._rooms.values()) {
        if (r._wanted && (!r._direct || r._seq > 0 || r._joinPending)) this._sendJoin(r);
      }
      for (const r of this._rooms.values()) this._nextHistory(r);
      const o = this._options;
      this._tickTimer = setInterval(() => this._tick(),
          Math.max(20, Math.min(1000, o.pingInterval / 2, o.ackTimeout / 2)));
      this._outbox.connected(text => this._raw(text)); // after the joins the sends need
      this._ready.resolve(this._user);
      this._setState("connected", 0, "");
    }

    _sendJoin(r) {
      r._joinCid = this._cid("j");
      // a room joined before resumes after its last seq; a direct room also when it has messages
      const resume = r._everJoined || (r._direct && r._seq > 0);
      r._joinSince = resume ? r._seq : undefined;
      // presence news in batches: one frame per window of a join storm, not one per user (a
      // server that predates the field ignores it and sends each; _onPresence reads both)
      const frame = {type: "join", room: r._name, cid: r._joinCid, presence: "batch"};
      if (resume) {
        frame.since = r._seq;
        if (r._epoch !== undefined) frame.epoch = r._epoch; // without it, since cannot be checked
      }
      this._frame(frame);
    }

    _onJoined(f) {
      const r = this._rooms.get(f.room);
      if (!r || !r._wanted || typeof f.seq !== "number") return;
      r._joinCid = null;
      const since = r._joinSince;
      r._joinSince = undefined;
      let gap = null;
      if (since === undefined) {
        r._seq = Math.max(r._seq, f.seq); // a fresh join: live from here
      } else {
        const epochChanged = r._epoch !== undefined && f.epoch !== undefined
            && r._epoch !== f.epoch;
        const reset = epochChanged || f.seq < r._seq;
        if (f.recovered === false || reset) {
          gap = Object.freeze({room: r._name, lastSeen: r._seq, resumedAt: f.seq,
            epochChanged: reset});
          if (reset) r._seq = f.seq; // a new history: seqs start over, nothing is replayed
        } // else what remains after since is replayed next, in order
      }
      if (f.epoch !== undefined) r._epoch = f.epoch;
      r._everJoined = true;
      r._joinPending = false;
      if (typeof f.lastRead === "number") {
        r._lastRead = gap && gap.epochChanged ? f.lastRead : Math.max(r._lastRead, f.lastRead);
      }
      r._members = (f.members || []).map(u => Object.freeze({id: u.id, name: u.name ?? u.id}));
      r._memberCount = typeof f.memberCount === "number" ? f.memberCount : r._members.length;
      if (r._readToSend !== NONE) {
        this._frame({type: "read", room: r._name, seq: r._readToSend, cid: this._cid("r")});
        r._readToSend = NONE;
      }
      r._catchUpTo = f.truncated ? f.seq : NONE;
      if (f.truncated) { // the replay stopped early: once it is all here, ask for the rest
        const s = this._socket;
        this._afterPong(() => {
          if (this._socket === s && r._wanted && r._catchUpTo !== NONE) this._sendJoin(r);
        });
      }
      if (gap) this._emitRoom(r, "gap", gap);
      this._emitRoom(r, "joined", Object.freeze({room: r._name, seq: f.seq, epoch: f.epoch,
        members: r.members, memberCount: r._memberCount, lastRead: r._lastRead, unread: r.unread,
        recovered: f.recovered}));
      r._ready.resolve(r);
    }

    _onMessage(f) {
      if (typeof f.room !== "string" || typeof f.seq !== "number") return;
      let r = this._rooms.get(f.room);
      if (!r) {
        if (!f.room.startsWith("dm:")) return;
        r = this._directRoom(f.room);
      }
      const {type, ...m} = f;
      this._deliver(r, Object.freeze(m), f.epoch);
    }

    /** Delivers a message once, in seq order: the one place that advances a room's seq. */
    _deliver(r, m, epoch) {
      if (r._left) return;
      if (epoch !== undefined && epoch !== r._epoch) {
        if (r._epoch !== undefined) { // the server lost the room's history while we followed it
          const gap = Object.freeze({room: r._name, lastSeen: r._seq,
            resumedAt: Math.max(0, m.seq - 1), epochChanged: true});
          r._seq = gap.resumedAt;
          r._catchUpTo = NONE;
          this._emitRoom(r, "gap", gap);
        }
        r._epoch = epoch; // for a direct room never joined, the only way to learn it
      }
      if (r._catchUpTo !== NONE && m.seq > r._catchUpTo) return; // the next replay has it
      if (m.seq <= r._seq) return; // seen already
      r._seq = m.seq;
      if (this._user && m.from === this._user.id && m.seq > r._lastRead) r._lastRead = m.seq;
      this._emitRoom(r, "message", m);
    }

    _onAck(f) {
      const e = typeof f.cid === "string" ? this._outbox.remove(f.cid) : undefined;
      if (!e) return;
      const m = {id: f.id, room: f.room, seq: f.seq, from: this._user.id, name: this._user.name,
        body: e.body, ts: f.ts};
      if (f.epoch !== undefined) m.epoch = f.epoch;
      if (e.to !== undefined) m.to = e.to;
      Object.freeze(m);
      let r = this._rooms.get(f.room);
      if (!r && String(f.room).startsWith("dm:")) r = this._directRoom(f.room);
      if (r) this._deliver(r, m, f.epoch);
      e.resolve(m);
    }

    _onError(f) {
      const error = new ParleyError(f.code, f.message);
      const cid = f.cid;
      const pause = RETRY_PAUSE_MS[f.code];
      if (typeof cid === "string") {
        if (this._outbox.entries.has(cid)) {
          if (pause !== undefined) this._outbox.refused(cid, pause); // again, same cid, in order
          else this._outbox.remove(cid).reject(error);
          return;
        }
        for (const r of this._rooms.values()) {
          if (r._joinCid === cid) return this._joinFailed(r, error, pause);
          if (r._histories.length > 0 && r._histories[0].cid === cid) {
            r._histories.shift().reject(error);
            this._nextHistory(r);
            return;
          }
        }
        for (const [name, l] of this._leaving) {
          if (l.cid === cid) return this._onLeft({room: name});
        }
      }
      this._emit("error", error);
    }

    _joinFailed(r, error, pause) {
      r._joinCid = null;
      if (pause !== undefined) {
        const s = this._socket;
        setTimeout(() => {
          if (this._socket === s && this._welcomed && r._wanted && r._joinCid === null) {
            this._sendJoin(r);
          }
        }, pause);
        return;
      }
      const first = r._joinPending;
      r._wanted = false;
      r._joinPending = false;
      r._left = true;
      if (this._rooms.get(r._name) === r) this._rooms.delete(r._name);
      for (const h of r._histories.splice(0)) h.reject(error);
      r._ready.reject(error);
      if (!first) this._emit("error", error); // a rejoin failed: nobody awaits it
    }

    _onPresence(f) {
      if (!Array.isArray(f.users)) return this._onPresenceNews(f.room, f);
      // the batch form: several users' news, in the order it came; listeners see each in turn
      for (const news of f.users) {
        if (news && typeof news === "object") this._onPresenceNews(f.room, news);
      }
    }

    _onPresenceNews(room, f) {
      const r = this._rooms.get(room);
      if (!r || r._left) return;
      const i = r._members.findIndex(u => u.id === f.user);
      // presence is news, not the truth: a join of a listed user (or a leave of an unlisted one)
      // is nothing new
      if (f.state === "join" && i < 0) {
        r._members.push(Object.freeze({id: f.user, name: f.name ?? f.user}));
        r._memberCount++;
      } else if (f.state === "leave" && i >= 0) {
        r._members.splice(i, 1);
        r._memberCount = Math.max(0, r._memberCount - 1);
      } else {
        return;
      }
      this._emitRoom(r, "presence", Object.freeze({room: r._name, user: f.user,
        name: f.name ?? f.user, state: f.state}));
    }

    _onRead(f) {
      const r = this._rooms.get(f.room);
      if (!r || r._left || typeof f.seq !== "number") return;
      if (this._user && f.from === this._user.id) { // your other tab
        r._lastRead = Math.max(r._lastRead, f.seq);
      }
      this._emitRoom(r, "read", Object.freeze({room: r._name, from: f.from, seq: f.seq}));
    }

    _onTyping(f) {
      const r = this._rooms.get(f.room);
      if (!r || r._left) return;
      const typing = {room: r._name, from: f.from, name: f.name ?? f.from};
      this._emitRoom(r, "typing", Object.freeze(typing));
    }

    _onHistory(f) {
      const r = this._rooms.get(f.room);
      const h = r && r._histories[0];
      if (!h || !h.inFlight) return;
      r._histories.shift();
      h.resolve(Object.freeze((f.messages || []).map(m => Object.freeze({...m}))));
      this._nextHistory(r);
    }

    _onLeft(f) {
      const l = this._leaving.get(f.room);
      if (!l) return;
      this._leaving.delete(f.room);
      if (this._rooms.get(f.room) === l.room) this._rooms.delete(f.room);
      l.resolve();
    }

    _emitRoom(r, type, event) {
      r._emit(type, event);
      this._emit(type, event);
    }

    _directRoom(name) {
      let r = this._rooms.get(name);
      if (!r) {
        r = new Room(this, name);
        r._wanted = true; // resumed on reconnect, though never joined
        this._rooms.set(name, r);
      }
      return r;
    }

    // ---- outbound -------------------------------------------------------------------------------

    _enqueue(r, room, to, body) {
      if (typeof body !== "string" || body.trim() === "") {
        throw new TypeError("body must be a non-blank string");
      }
      if (this._closed) return Promise.reject(this._closedError());
      if (r && r._left) return Promise.reject(leftError(r));
      const max = this._limits && this._limits.maxBodyChars;
      if (typeof max === "number" && body.length > max) {
        return Promise.reject(new ParleyError("too_large", `the body is over ${max} characters`));
      }
      return new Promise((resolve, reject) => {
        const cid = this._cid("s");
        const frame = to !== undefined ? {type: "send", to, body, cid}
          : {type: "send", room, body, cid};
        this._outbox.add({cid, to, body, frame: JSON.stringify(frame), resolve, reject,
          onWire: false, sentAt: 0});
      });
    }

    _history(r, before, limit) {
      if (before !== undefined && !Number.isInteger(before)) {
        throw new TypeError("before must be an integer");
      }
      if (!Number.isInteger(limit) || limit < 1) {
        throw new TypeError("limit must be a positive integer");
      }
      if (this._closed) return Promise.reject(this._closedError());
      if (r._left) return Promise.reject(leftError(r));
      return new Promise((resolve, reject) => {
        const cid = this._cid("h");
        const frame = {type: "history", room: r._name, limit, cid};
        if (before !== undefined) frame.before = before;
        r._histories.push({cid, frame, resolve, reject, inFlight: false});
        this._nextHistory(r);
      });
    }

    /** One history request per room on the wire: the answer names the room, not the request. */
    _nextHistory(r) {
      const h = r._histories[0];
      if (h && !h.inFlight && this._welcomed) {
        h.inFlight = true;
        this._frame(h.frame);
      }
    }

    _typing(r) {
      const t = now();
      if (!this._welcomed || !r.joined || t - r._lastTyping < TYPING_INTERVAL_MS
          || !this._pacer.frameFree(t)) {
        return; // typing is worth sending only now, and only when it costs the sends nothing
      }
      r._lastTyping = t;
      this._frame({type: "typing", room: r._name});
    }

    _markRead(r, seq) {
      if (!Number.isInteger(seq)) throw new TypeError("seq must be an integer");
      const s = Math.min(seq, r._seq);
      if (r._left || s <= r._lastRead) return;
      r._lastRead = s;
      if (this._welcomed && r._everJoined) {
        this._frame({type: "read", room: r._name, seq: s, cid: this._cid("r")});
      } else {
        r._readToSend = s; // sent once the room is joined
      }
    }

    _leave(r) {
      if (r._left) return Promise.resolve();
      r._wanted = false;
      r._joinPending = false;
      r._left = true;
      const error = new ParleyError("not_member", `left ${r._name}`);
      for (const h of r._histories.splice(0)) h.reject(error);
      r._ready.reject(error);
      if (!this._welcomed) {
        this._rooms.delete(r._name);
        return Promise.resolve();
      }
      return new Promise(resolve => {
        const cid = this._cid("l");
        const earlier = this._leaving.get(r._name); // left, joined again and left before "left"
        if (earlier) earlier.resolve();
        this._leaving.set(r._name, {room: r, cid, resolve});
        this._frame({type: "leave", room: r._name, cid});
      });
    }

    /** A frame other than a send or a ping: charged to the frame bucket as it leaves. */
    _frame(frame) {
      if (!this._socket) return;
      this._pacer.frameLeft(now());
      this._raw(JSON.stringify(frame));
    }

    _raw(text) {
      try {
        this._socket.send(text);
      } catch (e) {
        // a transport that throws once closing: its close event follows
      }
    }

    _cid(kind) {
      return kind + this._cidPrefix + (++this._counter).toString(36);
    }
  }

  // ---- the HTTP fallback ------------------------------------------------------------------------

  /**
   * Parley's HTTP fallback (docs/PROTOCOL.md, "The HTTP fallback") in the shape of the browser's
   * WebSocket, for networks that refuse the upgrade: frames come down as Server-Sent Events
   * (EventSource), or as long polls (fetch) when a proxy holds the stream back, and go up as
   * POSTs, one at a time, numbered so that the server applies each once and in order. A stream or
   * poll that breaks starts again after the last event it got: nothing lost, nothing repeated.
   * Every request carries the URL's query (the credentials) and the page's cookies.
   */
  class HttpSocket {
    constructor(url, protocols) {
      const u = new URL(url);
      u.protocol = u.protocol === "wss:" || u.protocol === "https:" ? "https:" : "http:";
      this._base = `${u.origin}${u.pathname.replace(/\/?$/, "/")}http/`;
      this._query = u.search.slice(1);
      this.url = url;
      this.readyState = 0;
      this.protocol = "";
      this.bufferedAmount = 0;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      this._session = null;
      this._last = 0; // the last event received
      this._posted = 0; // frames the server took
      this._queue = [];
      this._sending = false;
      this._closing = null;
      this._reader = 0; // the current stream or poll loop
      this._es = null;
      this._abort = null;
      this._mode = HttpSocket.mode;
      const offered = [].concat(protocols ?? []);
      if (!offered.includes(PROTOCOL)) {
        setTimeout(() => this._closed(1006, "the HTTP fallback speaks parley.v1 only", false));
        return;
      }
      setTimeout(() => this._open()); // events come later, as a WebSocket's do
    }

    send(text) {
      if (this.readyState === 0) throw new DOMException("still connecting", "InvalidStateError");
      const s = String(text);
      this.bufferedAmount += s.length;
      if (this.readyState !== 1) return;
      this._queue.push(s);
      this._pump();
    }

    close(code = 1000, reason = "") {
      if (this.readyState >= 2) return;
      if (this.readyState === 0) {
        this.readyState = 2;
        setTimeout(() => this._closed(1006, "closed before it opened", false));
        return;
      }
      this.readyState = 2;
      this._closing = {code, reason};
      this._stopReading();
      this._pump();
    }

    _url(action, more) {
      const q = [this._query, this._session && `session=${encodeURIComponent(this._session)}`, more]
          .filter(Boolean).join("&");
      return this._base + action + (q ? `?${q}` : "");
    }

    // ---- down

    /**
     * The first stream (or poll) opens the session: its first event is the welcome, which names
     * it. One request, so a load balancer may send each request to another node.
     */
    _open() {
      if (this.readyState !== 0) return;
      if (this._mode === "poll") this._poll();
      else this._stream();
    }

    /** After a broken stream or poll: the same session, after the last event received. */
    _resume() {
      if (this.readyState !== 1) return;
      if (this._mode === "poll") this._poll();
      else this._stream();
    }

    _stream() {
      const me = ++this._reader;
      const es = this._es = new EventSource(this._url("stream", `last=${this._last}`),
          {withCredentials: true});
      let heard = false;
      if (this._mode === "auto" && this.readyState === 0) { // a stream that worked once stays
        setTimeout(() => { // nothing came through: a proxy holds the stream back; poll instead
          if (!heard && this._reader === me && this.readyState === 0) {
            this._mode = "poll";
            this._stopReading();
            this._poll(); // a session that never said welcome is left to the server's heartbeat
          }
        }, HttpSocket.streamTimeout);
      }
      es.onmessage = e => {
        heard = true;
        this._failing = 0;
        if (this._reader === me) this._event(e.lastEventId, "", e.data);
      };
      es.addEventListener("close", e => {
        if (this._reader === me) this._event(e.lastEventId, "close", e.data);
      });
      es.onopen = () => { this._failing = 0; }; // (re)connected: the window starts over
      es.onerror = () => { // never EventSource's own retry: its URL may name no session yet
        if (this._reader !== me) return;
        const refused = es.readyState === EventSource.CLOSED; // a status but 200: 404, …
        this._stopReading();
        if (this.readyState === 0 || refused) {
          this._closed(1006, refused ? "the stream was refused" : "no stream", false);
        } else if (this._failed()) {
          this._closed(1006, "the stream could not be resumed", false);
        } else {
          setTimeout(() => this._resume(), 250);
        }
      };
    }

    async _poll() {
      const me = ++this._reader;
      while (this._reader === me && this.readyState < 2) {
        const abort = this._abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 90000);
        try {
          const r = await fetch(this._url("poll", `last=${this._last}`),
              {credentials: "include", cache: "no-store", signal: abort.signal});
          if (r.status === 401) return this._closed(4401, "credentials refused", true);
          if (r.status === 404 || r.status === 400 || (r.status !== 200 && this.readyState === 0)) {
            return this._closed(1006, `the fallback answered ${r.status}`, false);
          }
          if (r.status !== 200) throw new Error(`poll answered ${r.status}`);
          const body = await r.text();
          this._failing = 0;
          if (this._reader === me) eachEvent(body, (id, type, data) => this._event(id, type, data));
        } catch (e) {
          if (this._reader !== me || this.readyState > 1) return;
          if (this.readyState === 0) return this._closed(1006, String(e && e.message || e), false);
          if (this._failed()) return this._closed(1006, "the polls could not go on", false);
          await new Promise(resolve => setTimeout(resolve, 200));
        } finally {
          clearTimeout(timer);
        }
      }
    }

    _event(id, type, data) {
      if (this.readyState > 1) return;
      const n = Number(id) || 0;
      if (n > 0 && n <= this._last) return; // had it already
      if (n > 0) this._last = n;
      if (this.readyState === 0) { // the first event: the welcome, or a refusal (4401)
        let session = null;
        try {
          const f = JSON.parse(data);
          if (type !== "close" && f.type === "welcome") session = f.session;
        } catch (e) { /* not JSON: no welcome */ }
        if (type !== "close" && !session) return this._closed(1006, "no welcome", false);
        this._session = session;
        this.readyState = 1;
        this.protocol = PROTOCOL;
        if (this.onopen) this.onopen({type: "open"}); // as a WebSocket server: open, then closed
      }
      if (type === "close") {
        const c = JSON.parse(data);
        this._closed(c.code, c.reason || "", true);
      } else if (this.onmessage) {
        this.onmessage({data});
        if (n === 1) this._pump();
      }
    }

    /** A request failed: true once they have failed for longer than HttpSocket.retryWindow. */
    _failed() {
      if (!this._failing) this._failing = now();
      return now() - this._failing > HttpSocket.retryWindow;
    }

    _stopReading() {
      this._reader++;
      if (this._es) this._es.close();
      if (this._abort) this._abort.abort();
      this._es = this._abort = null;
    }

    // ---- up

    async _pump() {
      if (this._sending || !this._session) return;
      if (this._queue.length === 0) {
        if (this._closing) this._sendClose();
        return;
      }
      this._sending = true;
      const batch = [];
      let size = 0;
      while (this._queue.length > 0 && (batch.length === 0 || size + this._queue[0].length < 65536)) {
        size += this._queue[0].length;
        batch.push(this._queue.shift());
      }
      const first = this._posted + 1;
      let failing = 0;
      while (this.readyState === 1 || this.readyState === 2) {
        try {
          const r = await fetch(this._url("send", `first=${first}`), {method: "POST",
            credentials: "include", headers: {"Content-Type": "text/plain;charset=UTF-8"},
            body: JSON.stringify(batch)});
          if (r.status === 204) break;
          if (r.status === 401) return this._closed(4401, "credentials refused", true);
          if ([400, 403, 404, 413].includes(r.status)) {
            return this._closed(r.status === 413 ? 1009 : 1006, `send answered ${r.status}`, false);
          }
          throw new Error(`send answered ${r.status}`);
        } catch (e) {
          if (this.readyState === 3) return;
          if (!failing) failing = now();
          if (now() - failing > HttpSocket.retryWindow) {
            return this._closed(1006, "frames could not be sent", false);
          }
          await new Promise(resolve => setTimeout(resolve, 200));
        }
      }
      this._posted += batch.length;
      this.bufferedAmount = Math.max(0, this.bufferedAmount - size);
      this._sending = false;
      this._pump();
    }

    _sendClose() {
      const {code, reason} = this._closing;
      this._closing = null;
      fetch(this._url("close", `code=${code}&reason=${encodeURIComponent(reason)}`),
          {method: "POST", credentials: "include", keepalive: true})
          .catch(() => {})
          .finally(() => this._closed(code, reason, true));
    }

    _closed(code, reason, wasClean) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this._stopReading();
      if (!wasClean && this._session) { // tell the server, best effort, not to wait for us
        fetch(this._url("close", "code=1000&reason=gone"),
            {method: "POST", credentials: "include", keepalive: true}).catch(() => {});
      }
      if (!wasClean && this.onerror) this.onerror({type: "error"});
      if (this.onclose) this.onclose({code, reason, wasClean});
    }
  }
  /** "auto" (a stream; polls when nothing comes through it), "stream" or "poll". */
  HttpSocket.mode = "auto";
  /** ms a new stream may stay silent before "auto" gives up on it and polls. */
  HttpSocket.streamTimeout = 5000;
  /** ms requests may keep failing before the connection counts as lost. */
  HttpSocket.retryWindow = 10000;

  /** Calls fn(id, type, data) for each event of a text/event-stream body (a poll's answer). */
  function eachEvent(text, fn) {
    let id = "", type = "", data = [];
    const flush = () => {
      if (data.length > 0) fn(id, type, data.join("\n"));
      id = "";
      type = "";
      data = [];
    };
    for (const line of text.split(/\r\n|\r|\n/)) {
      if (line === "") {
        flush();
        continue;
      }
      if (line[0] === ":") continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? "" : line.slice(i + 1);
      if (value[0] === " ") value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "id") id = value;
      else if (field === "event") type = value;
    }
    flush();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  function normalize(options) {
    const o = options == null ? {} : options;
    if (typeof o !== "object") throw new TypeError("options must be an object");
    const backoff = {...DEFAULTS.backoff, ...(o.backoff || {})};
    for (const k of ["initial", "max", "multiplier"]) {
      if (!(backoff[k] > 0)) throw new TypeError(`backoff.${k} must be a positive number`);
    }
    if (!["equal", "full", "none"].includes(backoff.jitter)) {
      throw new TypeError('backoff.jitter must be "equal", "full" or "none"');
    }
    const n = {backoff: Object.freeze(backoff)};
    for (const k of ["connectTimeout", "pingInterval", "ackTimeout"]) {
      n[k] = o[k] ?? DEFAULTS[k];
      if (!(n[k] > 0)) throw new TypeError(`${k} must be a positive number of ms`);
    }
    n.transports = [...(o.transports ?? Parley.transports)];
    if (n.transports.length === 0 || n.transports.some(t => typeof t !== "function")) {
      throw new TypeError("transports must be a non-empty array of WebSocket-like constructors"
          + " (this browser has no WebSocket, and no fallback is loaded)");
    }
    if (o.name != null && typeof o.name !== "string") throw new TypeError("name must be a string");
    n.name = o.name;
    n.params = {...(o.params || {})};
    return Object.freeze(n);
  }

  /** ws:// or wss://, from a ws(s) or http(s) URL or a path on this page's host. */
  function socketUrl(url, options) {
    if (typeof url !== "string" && !(url instanceof URL)) {
      throw new TypeError("url must be a string or a URL");
    }
    const u = new URL(url, global.location ? global.location.href : undefined);
    if (u.protocol === "http:") u.protocol = "ws:";
    if (u.protocol === "https:") u.protocol = "wss:";
    if (u.protocol !== "ws:" && u.protocol !== "wss:") {
      throw new TypeError(`url must be ws(s)://, http(s):// or a path on an http(s) page: ${url}`);
    }
    if (options.name != null) u.searchParams.set("name", options.name);
    for (const [k, v] of Object.entries(options.params)) u.searchParams.set(k, String(v));
    return u.href;
  }

  /** A socket whose handshake failed at once (the constructor threw): it closes with 1006. */
  function failedSocket(error) {
    const s = {readyState: 0, protocol: "", send() {}, close() {},
      onopen: null, onmessage: null, onerror: null, onclose: null};
    setTimeout(() => {
      s.readyState = 3;
      if (s.onerror) s.onerror({type: "error", error});
      const reason = String((error && error.message) || error);
      if (s.onclose) s.onclose({code: 1006, reason, wasClean: false});
    });
    return s;
  }

  function requireString(value, name) {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(`${name} must be a non-empty string`);
    }
  }

  function leftError(r) {
    return new ParleyError("not_member", `left ${r._name} already`);
  }

  function detach(s) {
    s.onopen = s.onmessage = s.onerror = s.onclose = null;
  }

  function randomId() {
    const a = new Uint32Array(2);
    if (global.crypto && global.crypto.getRandomValues) global.crypto.getRandomValues(a);
    else { a[0] = Math.random() * 2 ** 32; a[1] = Math.random() * 2 ** 32; }
    return a[0].toString(36) + a[1].toString(36);
  }

  const Parley = Object.freeze({
    version: "1.0.0",
    protocol: PROTOCOL,
    /** Connects at once; returns the client (see Client) in state "connecting". */
    connect: (url, options) => new Client(url, options),
    /** The direct room of two users: dm:<a>:<b>, the ids sorted. */
    directRoom(a, b) {
      requireString(a, "a");
      requireString(b, "b");
      return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
    },
    /**
     * The transports clients try, in order, when options.transports is not given: constructors
     * with the browser WebSocket's shape. WebSocket, then the HTTP fallback (HttpSocket), each
     * where the browser has what it needs.
     */
    transports: [typeof global.WebSocket === "function" && global.WebSocket,
      typeof global.fetch === "function" && typeof global.EventSource === "function" && HttpSocket]
        .filter(Boolean),
    /** The HTTP fallback transport (Server-Sent Events or long polls down, POSTs up). */
    HttpSocket,
    ParleyError,
  });
  global.Parley = Parley;
})(typeof globalThis !== "undefined" ? globalThis : self);
