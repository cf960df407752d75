package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VersionDiffTest {
    static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

    static StoredVersion version(String hash, StoredVersion.File... files) {
        return new StoredVersion("luigis", hash, T, List.of(files));
    }

    @Test
    void changedLinesAreMarkedWithTheirNumbersAndLongUnchangedRunsFold() {
        var before = IntStream.rangeClosed(1, 20).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));
        var after = before.replace("line 10", "line ten").replace("line 20", "line 20\nline 21");
        var diff = VersionDiff.between(version("a", new StoredVersion.File("flows/luigis.yaml", before)),
                                       version("b", new StoredVersion.File("flows/luigis.yaml", after)));

        assertThat(diff.changed()).isTrue();
        var file = diff.files().getFirst();
        assertThat(file.status()).isEqualTo(VersionDiff.FileStatus.CHANGED);
        assertThat(file.lines().stream().map(VersionDiffTest::show).toList()).containsExactly(
                "… 1/1 6 unchanged lines",
                "  7/7 line 7", "  8/8 line 8", "  9/9 line 9",
                "- 10/0 line 10", "+ 0/10 line ten",
                "  11/11 line 11", "  12/12 line 12", "  13/13 line 13",
                "… 14/14 4 unchanged lines",
                "  18/18 line 18", "  19/19 line 19", "  20/20 line 20",
                "+ 0/21 line 21");
    }

    @Test
    void filesAddedRemovedAndUnchangedAreNamed() {
        var flow = new StoredVersion.File("flows/luigis.yaml", "name: luigis\n");
        var diff = VersionDiff.between(version("a", flow, new StoredVersion.File("plugins/old.js", "a\nb")),
                                       version("b", flow, new StoredVersion.File("plugins/new.js", "c")));
        assertThat(diff.files()).extracting(f -> f.path() + " " + f.status()).containsExactly(
                "flows/luigis.yaml SAME", "plugins/old.js REMOVED", "plugins/new.js ADDED");
        assertThat(diff.files().get(0).lines()).isEmpty();
        assertThat(diff.files().get(1).lines().stream().map(VersionDiffTest::show)).containsExactly("- 1/0 a", "- 2/0 b");
        assertThat(diff.files().get(2).lines().stream().map(VersionDiffTest::show)).containsExactly("+ 0/1 c");
        assertThat(VersionDiff.between(version("a", flow), version("a", flow)).changed()).isFalse();
    }

    private static String show(VersionDiff.Line line) {
        var mark = switch (line.kind()) {
            case SAME -> " ";
            case REMOVED -> "-";
            case ADDED -> "+";
            case SKIP -> "…";
        };
        return mark + " " + line.oldNumber() + "/" + line.newNumber() + " " + line.text();
    }
}
