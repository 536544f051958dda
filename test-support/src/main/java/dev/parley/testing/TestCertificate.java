package dev.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made once per JVM with
 * the JDK's {@code keytool}, in every form a test needs: a PKCS#12 key store, PEM files, a
 * client {@link SSLContext} that trusts it, and the hash Chromium's
 * {@code --ignore-certificate-errors-spki-list} takes.
 *
 * @param keyStore the PKCS#12 key store holding the key and the certificate ({@link #PASSWORD})
 * @param certificatePem the certificate, PEM
 * @param privateKeyPem the private key, unencrypted PKCS#8 PEM
 * @param certificate the certificate
 */
public record TestCertificate(Path keyStore, Path certificatePem, Path privateKeyPem,
    X509Certificate certificate) {
  /** The key store's (and key's) password. */
  public static final String PASSWORD = "parley-test";

  private static final class Holder {
    static final TestCertificate INSTANCE = make();
  }

  /** The certificate of this JVM (made on first use, in a temporary folder). */
  public static TestCertificate get() {
    return Holder.INSTANCE;
  }

  /** A client TLS context that trusts this certificate (and nothing else). */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("parley", certificate);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Base64 of the SHA-256 of the certificate's public key (SPKI), as Chromium wants it. */
  public String spkiSha256() {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(certificate.getPublicKey().getEncoded());
      return Base64.getEncoder().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TestCertificate make() {
    try {
      Path dir = Files.createTempDirectory("parley-cert-");
      Path store = dir.resolve("server.p12");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "parley",
          "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
          "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
          "-storetype", "PKCS12", "-keystore", store.toString(),
          "-storepass", PASSWORD, "-keypass", PASSWORD)
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore ks = KeyStore.getInstance(store.toFile(), PASSWORD.toCharArray());
      X509Certificate cert = (X509Certificate) ks.getCertificate("parley");
      PrivateKey key = (PrivateKey) ks.getKey("parley", PASSWORD.toCharArray());
      Path certPem = dir.resolve("cert.pem");
      Path keyPem = dir.resolve("key.pem");
      Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
      Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
      for (Path f : List.of(dir, store, certPem, keyPem)) { // deleted in reverse order
        f.toFile().deleteOnExit();
      }
      return new TestCertificate(store, certPem, keyPem, cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
