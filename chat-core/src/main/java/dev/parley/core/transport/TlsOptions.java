package dev.parley.core.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The certificate and private key a {@link WebChatServer} serves HTTPS and {@code wss://} with,
 * on its one port. Read once, when made: a missing file, a key that does not parse or a wrong
 * password fails here, naming the file, not at the first handshake.
 *
 * <ul>
 *   <li>{@link #pem(Path, Path)}: a certificate chain (the server's certificate first, then its
 *       intermediates) and an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}; RSA, EC
 *       or EdDSA), as Let's Encrypt and most tools write them.</li>
 *   <li>{@link #keyStore(Path, char[])}: a PKCS#12 or JKS key store with one key entry.</li>
 * </ul>
 *
 * <p>Protocols: {@link #PROTOCOLS} (TLS 1.3 and 1.2) only. Cipher suites: the library's
 * recommended ones (Netty's default list, Jetty's defaults less its excluded weak suites), from
 * the JDK's provider; no OpenSSL is needed. Immutable and thread-safe.
 */
public final class TlsOptions {
  /** The protocols offered, newest first. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final String ALIAS = "parley";

  private final KeyStore keyStore;
  private final char[] password;
  private final String source;

  private TlsOptions(KeyStore keyStore, char[] password, String source) {
    this.keyStore = keyStore;
    this.password = password;
    this.source = source;
  }

  /**
   * A certificate chain and its private key, both PEM files.
   *
   * @throws UncheckedIOException     when a file cannot be read
   * @throws IllegalArgumentException when a file holds no certificate, or no unencrypted PKCS#8
   *     key (the message says how to convert one)
   */
  public static TlsOptions pem(Path certificateChain, Path privateKey) {
    Objects.requireNonNull(certificateChain, "certificateChain == null");
    Objects.requireNonNull(privateKey, "privateKey == null");
    Certificate[] chain = certificates(certificateChain);
    PrivateKey key = privateKey(privateKey);
    char[] password = new char[0];
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, password, chain);
      return new TlsOptions(store, password, certificateChain + " and " + privateKey);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("privateKey " + privateKey
          + " does not go with certificateChain " + certificateChain + ": " + e.getMessage(), e);
    }
  }

  /**
   * A PKCS#12 or JKS key store whose key entry (the first one) is served; {@code password}
   * opens the store and the key.
   *
   * @throws UncheckedIOException     when the file cannot be read
   * @throws IllegalArgumentException when it is no key store, the password is wrong, or it holds
   *     no key entry
   */
  public static TlsOptions keyStore(Path keyStore, char[] password) {
    Objects.requireNonNull(keyStore, "keyStore == null");
    Objects.requireNonNull(password, "password == null");
    if (!Files.isReadable(keyStore)) {
      throw new UncheckedIOException(new IOException("cannot read keyStore " + keyStore));
    }
    try {
      KeyStore store = KeyStore.getInstance(keyStore.toFile(), password);
      boolean hasKey = false;
      for (String alias : java.util.Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new IllegalArgumentException("keyStore " + keyStore + " holds no private key");
      }
      return new TlsOptions(store, password.clone(), keyStore.toString());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("keyStore " + keyStore
          + " cannot be opened (wrong password, or not PKCS#12 or JKS): " + e.getMessage(), e);
    }
  }

  /** The key managers that present this certificate (for a server's TLS engine). */
  public KeyManagerFactory keyManagers() {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      return kmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the key of " + source + " cannot be used: "
          + e.getMessage(), e);
    }
  }

  /** A server {@link SSLContext} presenting this certificate, from the JDK's provider. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers().getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS context for " + source + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "TlsOptions{" + source + "}";
  }

  private static Certificate[] certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("certificateChain " + file + " holds no certificate");
      }
      return certs.toArray(new Certificate[0]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read certificateChain " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("certificateChain " + file
          + " is not a PEM certificate chain: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read privateKey " + file, e);
    }
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        for (String algorithm : List.of("RSA", "EC", "EdDSA", "RSASSA-PSS")) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (GeneralSecurityException e) {
            // not this algorithm: try the next
          }
        }
        throw new IllegalArgumentException("privateKey " + file
            + ": a PKCS#8 key of an algorithm this JVM does not know");
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw new IllegalArgumentException("privateKey " + file + " is a " + type
            + "; Parley reads unencrypted PKCS#8 keys: convert it with "
            + "`openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem`");
      }
    }
    throw new IllegalArgumentException("privateKey " + file
        + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }
}
