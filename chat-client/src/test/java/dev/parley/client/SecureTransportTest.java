package dev.parley.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.TlsOptions;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.Message;
import dev.parley.server.jetty.JettyChatServer;
import dev.parley.server.netty.NettyChatServer;
import dev.parley.testing.TestCertificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both client transports over {@code wss://} to both servers, with a certificate the test makes
 * itself and that only the clients' own {@link SSLContext} trusts.
 */
@Timeout(60)
class SecureTransportTest {

  @ParameterizedTest(name = "{0} client, {1} server")
  @CsvSource({"tyrus, netty", "tyrus, jetty", "jdk, netty", "jdk, jetty"})
  void twoClientsChatOverWss(String client, String server) throws Exception {
    TestCertificate cert = TestCertificate.get();
    SSLContext trust = cert.clientContext();
    Function<ChatServer, WebChatServer.Builder<?>> builder = server.equals("netty")
        ? NettyChatServer::builder : JettyChatServer::builder;
    try (ChatServer chat = ChatServer.builder().build();
        WebChatServer web = builder.apply(chat).host("127.0.0.1").port(0)
            .tls(TlsOptions.pem(cert.certificatePem(), cert.privateKeyPem())).start();
        Transport transport = client.equals("tyrus") ? Transports.tyrus(trust)
            : Transports.jdk(trust)) {
      assertEquals("wss", web.uri().getScheme());
      ClientOptions options = ClientOptions.builder().transport(transport).build();
      try (ChatClient alice = ChatClient.connect(
              java.net.URI.create(web.uri() + "?name=alice"), options);
          ChatClient bob = ChatClient.connect(
              java.net.URI.create(web.uri() + "?name=bob"), options)) {
        BlockingQueue<Message> bobs = new LinkedBlockingQueue<>();
        bob.join("lobby", new Room.Listener() {
          @Override
          public void onMessage(Message m) {
            bobs.add(m);
          }
        }).get(20, TimeUnit.SECONDS);
        Room room = alice.join("lobby").get(20, TimeUnit.SECONDS);
        room.send("over wss").get(20, TimeUnit.SECONDS);
        Message m = bobs.poll(20, TimeUnit.SECONDS);
        assertTrue(m != null, "bob got nothing");
        assertEquals("over wss", m.body());
        assertEquals("alice", m.from());
      }
    }
  }
}
