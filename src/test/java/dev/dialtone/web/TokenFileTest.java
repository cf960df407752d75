package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.Secret;

/** The server's own admin token: strong, owner-only, made once, whole, and reused. */
class TokenFileTest {

    @Test
    void theFirstStartMakesAStrongOwnerOnlyTokenAndLaterStartsReuseIt(@TempDir Path dir) throws Exception {
        var folder = dir.resolve("data"); // not there yet
        var token = TokenFile.loadOrCreate(folder);
        var file = folder.resolve("admin-token");
        assertThat(token.value()).as("32 random bytes, base64url").matches("[A-Za-z0-9_-]{43}");
        assertThat(Files.readString(file).strip()).isEqualTo(token.value());
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("admin-token");
        }

        assertThat(TokenFile.loadOrCreate(folder)).isEqualTo(token);
        assertThat(TokenFile.loadOrCreate(dir.resolve("other")).value()).isNotEqualTo(token.value());
    }

    @Test
    void serversStartingAtOnceAgreeOnOneToken(@TempDir Path dir) throws Exception {
        var gate = new CountDownLatch(1);
        var results = new ArrayList<Future<Secret>>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    gate.await();
                    return TokenFile.loadOrCreate(dir);
                }));
            }
            gate.countDown();
            var tokens = new HashSet<Secret>();
            for (var result : results) {
                tokens.add(result.get());
            }
            assertThat(tokens).hasSize(1);
            assertThat(Files.readString(dir.resolve("admin-token")).strip()).isEqualTo(tokens.iterator().next().value());
        }
    }

    @Test
    void aTokenFileOpenToOthersIsMadeOwnerOnly(@TempDir Path dir) throws Exception {
        var file = dir.resolve("admin-token");
        var mine = "an-operator-written-token-of-40-characters";
        Files.writeString(file, mine + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(TokenFile.loadOrCreate(dir).value()).isEqualTo(mine);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aTokenFileThatIsNotOneStopsTheStartAndSaysWhatToDo(@TempDir Path dir) throws Exception {
        var file = dir.resolve("admin-token");
        for (var content : new String[] {"", "short", "two tokens-of-enough-length-for-one-of-them"}) {
            Files.writeString(file, content);
            assertThatThrownBy(() -> TokenFile.loadOrCreate(dir)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("delete it")
                    .hasMessageContaining("DIALTONE_ADMIN_TOKEN");
        }
        Files.delete(file);
        var elsewhere = Files.writeString(dir.resolve("elsewhere"), "x".repeat(43));
        Files.createSymbolicLink(file, elsewhere);
        assertThatThrownBy(() -> TokenFile.loadOrCreate(dir)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("symbolic link");
    }
}
