package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.transport.TlsOptions;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsOptions} (in chat-core) with the test certificate: PEM and key store read, and every
 * way of getting them wrong named. Here, not in chat-core, because the certificate is made here.
 */
final class TlsOptionsTest {
  @TempDir
  Path temp;

  private final TestCertificate cert = TestCertificate.get();

  @Test
  void pemFilesAndAKeyStoreBothMakeAServerContext() {
    assertNotNull(TlsOptions.pem(cert.certificatePem(), cert.privateKeyPem()).sslContext());
    TlsOptions store = TlsOptions.keyStore(cert.keyStore(), TestCertificate.PASSWORD.toCharArray());
    assertNotNull(store.keyManagers().getKeyManagers()[0]);
    assertEquals(java.util.List.of("TLSv1.3", "TLSv1.2"), TlsOptions.PROTOCOLS);
  }

  @Test
  void everyMistakeIsNamed() throws Exception {
    Path missing = temp.resolve("missing.pem");
    assertTrue(assertThrows(UncheckedIOException.class,
        () -> TlsOptions.pem(missing, cert.privateKeyPem())).getMessage().contains("missing.pem"));
    assertTrue(assertThrows(UncheckedIOException.class,
        () -> TlsOptions.pem(cert.certificatePem(), missing)).getMessage().contains("missing.pem"));

    // the files swapped: no certificate in the key's file, no key in the certificate's
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TlsOptions.pem(cert.privateKeyPem(), cert.privateKeyPem())).getMessage()
        .contains("certificateChain"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TlsOptions.pem(cert.certificatePem(), cert.certificatePem())).getMessage()
        .contains("holds no PEM private key"));

    Path pkcs1 = Files.writeString(temp.resolve("rsa.pem"),
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
        () -> TlsOptions.pem(cert.certificatePem(), pkcs1));
    assertTrue(old.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), old.getMessage());
    Path encrypted = Files.writeString(temp.resolve("enc.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThrows(IllegalArgumentException.class,
        () -> TlsOptions.pem(cert.certificatePem(), encrypted));

    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
        () -> TlsOptions.keyStore(cert.keyStore(), "wrong".toCharArray()));
    assertTrue(wrong.getMessage().contains("keyStore"), wrong.getMessage());
    assertThrows(UncheckedIOException.class,
        () -> TlsOptions.keyStore(missing, "x".toCharArray()));
  }
}
