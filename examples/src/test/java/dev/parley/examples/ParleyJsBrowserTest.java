package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatLimits;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.js.ParleyJs;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import dev.parley.server.netty.NettyChatServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * parley.js in real Chromium, against {@code NettyChatServer}, which serves it from the chat-js
 * jar: acks, the outbox, reconnect and resume, gaps, pacing, close codes, room events, the
 * transport seam. One browser for the class; each test loads a fresh page (a harness in
 * {@code parley-test/}) from a server of its own. The page drives clients through
 * {@code TestSocket}, a WebSocket the test can cut ({@code net.down}) or bend.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ParleyJsBrowserTest {
  private static Path profile;
  private static WebDriver browser;

  private ChatServer chat;
  private WebChatServer server;

  @BeforeAll
  static void startBrowser() throws Exception {
    Chromium.assertInstalled();
    profile = Files.createTempDirectory("parley-chromium-");
    browser = Chromium.start(profile, false);
    browser.manage().timeouts().scriptTimeout(Chromium.WAIT);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
    if (profile != null) {
      Chromium.deleteProfile(profile);
    }
  }

  @BeforeEach
  void start() {
    startServer(ChatServerMain.chatServer().build(), 0);
  }

  @AfterEach
  void stop() {
    browser.get("about:blank"); // the page's clients go before their server does
    server.close();
    chat.close();
  }

  /** Serves {@code chatServer} and the harness page on {@code port}, and opens the page. */
  private void startServer(ChatServer chatServer, int port) {
    chat = chatServer;
    server = NettyChatServer.builder(chat).host("127.0.0.1").port(port)
        .staticResources("parley-test").start();
    if (port == 0) {
      browser.get(server.httpUri().toString());
    }
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  /** Runs {@code script}, which calls {@code done(result)}, and returns the result. */
  private static Object await(String script) {
    return ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];\n" + script);
  }

  /** Waits until the JavaScript {@code condition} holds in the page. */
  private static void until(String condition) {
    Chromium.waiting(browser).withMessage(condition)
        .until(d -> Boolean.TRUE.equals(js("return !!(" + condition + ");")));
  }

  @SuppressWarnings("unchecked")
  private static List<String> shown(String user) {
    return (List<String>) js("return shown('" + user + "');");
  }

  private List<String> stored(String room) {
    return chat.store().before(room, Long.MAX_VALUE, 200).toCompletableFuture().join().stream()
        .map(m -> m.seq() + ":" + m.body()).toList();
  }

  /** alice, connected through TestSocket and in general. */
  private void aliceInGeneral() {
    js("start('alice').join('general');");
    until("clients.alice.chat.room('general').joined");
  }

  @Test
  void theServerServesTheScriptFromTheJar() throws Exception {
    HttpResponse<byte[]> script = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.httpUri().resolve(ParleyJs.PATH)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, script.statusCode());
    assertTrue(Arrays.equals(ParleyJs.bytes(), script.body()));
    assertEquals("1.0.0", js("return Parley.version;"));
  }

  @Test
  void sendResolvesWithTheAckAndRejectsWithTheErrorCode() {
    aliceInGeneral();
    @SuppressWarnings("unchecked")
    Map<String, Object> sent = (Map<String, Object>) await(
        "clients.alice.chat.room('general').send('hello').then(done, e => done(e.code));");
    Message stored = chat.store().before("general", Long.MAX_VALUE, 1).toCompletableFuture().join()
        .get(0);
    assertEquals(stored.id(), sent.get("id"));
    assertEquals(1L, sent.get("seq"));
    assertEquals("alice", sent.get("from"));
    assertEquals("hello", sent.get("body"));
    assertEquals(stored.ts(), sent.get("ts"));
    assertEquals(List.of("1:hello"), shown("alice")); // your own message, once, from its ack

    assertEquals("unknown_user true", await("clients.alice.chat.sendTo('nobody', 'psst')"
        + ".then(() => done('sent'), e => done(e.code + ' ' + (e instanceof Parley.ParleyError)));"));
    assertEquals("bad_frame", await(
        "clients.alice.chat.join('no spaces allowed').ready.then(() => done('joined'), e => done(e.code));"));
    assertEquals("too_large", await("clients.alice.chat.room('general').send('x'.repeat(4001))"
        + ".then(() => done('sent'), e => done(e.code));"));
    assertEquals(0L, js("return clients.alice.chat.pendingSends;"));
  }

  @Test
  void aDroppedConnectionResumesWithTheMissedMessagesOnceAndInOrder() {
    aliceInGeneral();
    User carol = User.of("carol");
    chat.post("general", carol, "m1");
    chat.post("general", carol, "m2");
    until("clients.alice.log.messages.length === 2");

    js("net.down = true;");
    chat.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    until("clients.alice.chat.state === 'reconnecting'");
    for (int i = 3; i <= 6; i++) {
      chat.post("general", carol, "m" + i);
    }
    js("net.down = false;");
    until("clients.alice.chat.state === 'connected'");
    // a round trip after the resume: anything replayed twice would have arrived before its ack
    assertEquals(7L, await("clients.alice.chat.room('general').send('after').then(m => done(m.seq));"));
    assertEquals(List.of("1:m1", "2:m2", "3:m3", "4:m4", "5:m5", "6:m6", "7:after"),
        shown("alice"));
    assertEquals(true, js("return clients.alice.log.joined.at(-1).recovered;"));
    assertEquals(0L, js("return clients.alice.log.gaps.length;"));
  }

  @Test
  void theOutboxIsSentAgainAfterAReconnectAndStoredOnce() {
    aliceInGeneral();
    js("window.results = [];"
        + "const room = clients.alice.chat.room('general');"
        + "net.swallowAcks = true;"
        + "for (const body of ['one', 'two']) room.send(body).then(m => results.push(m.seq + ':' + m.body));");
    Chromium.waiting(browser).until(d -> stored("general").size() == 2); // stored, not acknowledged

    js("net.down = true;");
    chat.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    until("clients.alice.chat.state === 'reconnecting'");
    js("const room = clients.alice.chat.room('general');"
        + "for (const body of ['three', 'four']) room.send(body).then(m => results.push(m.seq + ':' + m.body));");
    assertEquals(4L, js("return clients.alice.chat.pendingSends;"));
    js("net.swallowAcks = false; net.down = false;");

    until("results.length === 4");
    List<String> inOrder = List.of("1:one", "2:two", "3:three", "4:four");
    assertEquals(inOrder, js("return results;"));
    assertEquals(inOrder, stored("general"));
    assertEquals(inOrder, shown("alice"));
    // "one" went out twice, with the same cid: the server answered the retry with the first ack
    assertEquals(List.of(2L, 1L), js("const sends = net.frames.filter(f => f.dir === 'out'"
        + " && f.frame.type === 'send' && f.frame.body === 'one');"
        + "return [sends.length, new Set(sends.map(f => f.frame.cid)).size];"));
  }

  @Test
  void aServerThatLostItsHistoryShowsAGap() {
    aliceInGeneral();
    User carol = User.of("carol");
    for (int i = 1; i <= 3; i++) {
      chat.post("general", carol, "old " + i);
    }
    until("clients.alice.log.messages.length === 3");

    int port = server.port();
    server.close();
    chat.close();
    startServer(ChatServerMain.chatServer().build(), port); // a fresh in-memory store
    until("clients.alice.log.gaps.length === 1 && clients.alice.chat.state === 'connected'");
    assertEquals(Map.of("room", "general", "lastSeen", 3L, "resumedAt", 0L, "epochChanged", true),
        js("return clients.alice.log.gaps[0];"));
    assertEquals(false, js("return clients.alice.log.joined.at(-1).recovered;"));

    chat.post("general", carol, "new 1"); // seq 1 again, of a new epoch: shown, not taken as old
    until("clients.alice.log.messages.length === 4");
    assertEquals(List.of("1:old 1", "2:old 2", "3:old 3", "1:new 1"), shown("alice"));
  }

  @Test
  void sendsKeepTheirOrderUnderTheServersRateLimit() {
    chat.close();
    server.close();
    startServer(ChatServerMain.chatServer()
        .limits(ChatLimits.builder().messageRate(5, 4).build()).build(), 0);
    aliceInGeneral();
    // paced to the rate the welcome announced: never refused
    List<String> sent = IntStream.range(0, 12).mapToObj(i -> "a" + i).toList();
    await("Promise.all(" + jsArray(sent) + ".map(b => clients.alice.chat.room('general').send(b)))"
        + ".then(ms => done(ms.map(m => m.seq)));");
    assertEquals(IntStream.rangeClosed(1, 12).mapToObj(i -> i + ":a" + (i - 1)).toList(),
        stored("general"));
    assertEquals(0L, js("return net.frames.filter(f => f.frame.code === 'rate_limited').length;"));

    // a welcome that announces more than the server enforces, and answers that take their time
    // (so that many sends are on their way at once): refused, paused, sent again in order
    js("net.liberalLimits = true; net.latency = 20; start('bob').join('general');");
    until("clients.bob.chat.room('general').joined");
    List<String> burst = IntStream.range(0, 16).mapToObj(i -> "b" + i).toList();
    await("Promise.all(" + jsArray(burst) + ".map(b => clients.bob.chat.room('general').send(b)))"
        + ".then(done);");
    assertEquals(burst, stored("general").stream().skip(12).map(s -> s.split(":")[1]).toList());
    assertTrue((Long) js("return net.frames.filter(f => f.user === 'bob'"
        + " && f.frame.code === 'rate_limited').length;") > 0, "the server never refused a send");
  }

  @Test
  void closeCodesDecideWhetherAndWhenToReconnect() {
    js("start('later'); start('done');");
    until("clients.later.chat.state === 'connected' && clients.done.chat.state === 'connected'");

    chat.disconnect("later", CloseCode.TRY_AGAIN_LATER, "busy"); // 1013: retried, but later
    until("clients.later.chat.state === 'reconnecting'");
    assertEquals(List.of(1013L, true), js("const s = clients.later.log.states.at(-1);"
        + "return [s.code, s.retryIn >= 5000];"));

    chat.disconnect("done", CloseCode.NORMAL, "bye"); // 1000: not retried
    until("clients.done.chat.state === 'closed'");
    assertEquals(List.of("connected", "closed"), js("return clients.done.log.states.map(s => s.state);"));

    // 4401: the handshake was refused; not retried, and ready says why
    assertEquals(List.of("closed", 4401L), await("const c = start('not a valid name');"
        + "c.ready.catch(e => done([e.code, e.closeCode]));"));
    assertEquals(List.of("closed"), js("return clients['not a valid name'].log.states.map(s => s.state);"));
    js("clients.later.chat.close();");
    Chromium.waiting(browser).until(d -> chat.connectionCount() == 0);
  }

  @Test
  void roomsReportPresenceTypingReadMarkersAndPageTheirHistory() {
    aliceInGeneral();
    js("start('bob').join('general');");
    until("clients.alice.log.presence.some(p => p.user === 'bob' && p.state === 'join')");
    // the page asked for presence in batches, and the server sent that form
    assertEquals(true, js("return net.frames"
        + ".filter(f => f.dir === 'out' && f.frame.type === 'join')"
        + ".every(f => f.frame.presence === 'batch');"));
    assertEquals(true, js("return net.frames.some(f => f.user === 'alice' && f.dir === 'in'"
        + " && f.frame.type === 'presence' && Array.isArray(f.frame.users));"));
    for (int i = 1; i <= 5; i++) {
      chat.post("general", User.of("carol"), "h" + i);
    }
    until("clients.alice.log.messages.length === 5 && clients.bob.log.messages.length === 5");

    assertEquals(List.of(List.of(4L, 5L), List.of(2L, 3L), List.of(1L)), await(
        "const room = clients.alice.chat.room('general'); const seqs = ms => ms.map(m => m.seq);"
            + "Promise.all([room.history({limit: 2}), room.history({before: 4, limit: 2}),"
            + " room.history({before: 2, limit: 2})]).then(pages => done(pages.map(seqs)));"));

    assertEquals(5L, js("return clients.alice.chat.room('general').unread;"));
    js("clients.alice.chat.room('general').markRead();");
    assertEquals(0L, js("return clients.alice.chat.room('general').unread;"));
    until("clients.bob.log.read.some(r => r.from === 'alice' && r.seq === 5)");

    js("const room = clients.bob.chat.room('general'); room.typing(); room.typing(); room.typing();"
        + "room.send('stopped typing');");
    until("clients.alice.log.messages.length === 6 && clients.alice.log.typing.length > 0");
    assertEquals(List.of("bob"), js("return clients.alice.log.typing.map(t => t.from);"));

    assertEquals("left", await("clients.bob.chat.room('general').leave().then(() => done('left'));"));
    until("clients.alice.log.presence.some(p => p.user === 'bob' && p.state === 'leave')");
    assertEquals(List.of("alice"),
        js("return clients.alice.chat.room('general').members.map(u => u.id);"));
  }

  @Test
  void aTransportThatCannotOpenFallsBackToTheNextAndKeepsToIt() {
    js("start('alice', {transports: [BlockedSocket, TestSocket]}).join('general');");
    until("clients.alice.chat.room('general').joined");
    assertEquals(true, js("return clients.alice.chat.transport === TestSocket;"));
    chat.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    until("clients.alice.log.states.filter(s => s.state === 'connected').length === 2");
    // the transport that worked is tried first from then on
    assertEquals(1L, js("return BlockedSocket.made;"));
  }

  @Test
  void theHttpFallbackPollsWhenAProxyHoldsItsStreamBackAndResumesAfterADrop() {
    // an EventSource that never delivers: what a proxy that buffers responses leaves a page with
    js("Parley.HttpSocket.streamTimeout = 300;"
        + "window.EventSource = class { addEventListener() {} close() {} };"
        + "start('alice', {transports: [Parley.HttpSocket]}).join('general');");
    until("clients.alice.chat.room('general').joined");
    assertEquals("poll", js("return clients.alice.chat._socket._mode;"));
    User carol = User.of("carol");
    chat.post("general", carol, "m1");
    until("clients.alice.log.messages.length === 1");
    assertEquals(2L, await("clients.alice.chat.room('general').send('mine').then(m => done(m.seq));"));

    chat.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    until("clients.alice.chat.state === 'reconnecting'");
    chat.post("general", carol, "m3");
    chat.post("general", carol, "m4");
    until("clients.alice.chat.state === 'connected'");
    assertEquals(5L, await("clients.alice.chat.room('general').send('after').then(m => done(m.seq));"));
    assertEquals(List.of("1:m1", "2:mine", "3:m3", "4:m4", "5:after"), shown("alice"));
    assertEquals(true, js("return clients.alice.log.joined.at(-1).recovered;"));
  }

  private static String jsArray(List<String> strings) {
    return strings.stream().map(s -> "'" + s + "'").toList().toString();
  }
}
