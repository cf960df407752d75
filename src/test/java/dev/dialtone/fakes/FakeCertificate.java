package dev.dialtone.fakes;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A certificate for "localhost" made by the JDK's keytool, as the real providers serve https and
 * wss: the fake's TLS context holds its key, the client's context trusts it and nothing else.
 *
 * @param server for {@link FakeServer#tls}
 * @param client for the client under test
 * @param trust  what {@code client} trusts, for a client that wants its trust manager too (OkHttp)
 */
public record FakeCertificate(SSLContext server, SSLContext client, X509TrustManager trust) {

    /** Makes a fresh key pair and certificate in {@code dir} (a test's temporary folder). */
    public static FakeCertificate forLocalhost(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        var store = dir.resolve("fake.p12");
        var keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        var process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "fake", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        var keys = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(store.toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        Files.deleteIfExists(store);
        var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        var server = SSLContext.getInstance("TLS");
        server.init(keyManagers.getKeyManagers(), null, null);
        var trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("fake", keys.getCertificate("fake"));
        var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        var client = SSLContext.getInstance("TLS");
        client.init(null, trustManagers.getTrustManagers(), null);
        return new FakeCertificate(server, client, (X509TrustManager) trustManagers.getTrustManagers()[0]);
    }
}
