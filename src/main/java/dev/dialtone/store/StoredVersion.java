package dev.dialtone.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One version of a flow as it went live: the flow file and the plugin sources it used, each under
 * a path relative to the server's folders ({@code flows/luigis.yaml}, {@code plugins/check_zip.js}).
 * {@code version} is the flow registry's hash of that text, the one calls record.
 */
public record StoredVersion(String flow, String version, Instant liveAt, List<File> files) {
    /** The most files one version keeps (a flow file and the plugins it names). */
    public static final int MAX_FILES = 64;
    /** The most characters kept of one file; a longer one is cut with a last line saying so. */
    public static final int MAX_FILE_CHARS = 500_000;

    public StoredVersion {
        Require.text(flow, "flow name", 200);
        Require.text(version, "flow version", 128);
        Objects.requireNonNull(liveAt, "liveAt");
        files = List.copyOf(files);
    }

    /** One file's path and text. */
    public record File(String path, String text) {
        public File {
            Require.text(path, "file path", 500);
            text = Require.orEmpty(text);
        }
    }

    /** This version with at most {@link #MAX_FILES} files of at most {@link #MAX_FILE_CHARS} each. */
    StoredVersion bounded() {
        var kept = files.stream().limit(MAX_FILES).map(f -> f.text().length() <= MAX_FILE_CHARS ? f
                : new File(f.path(), f.text().substring(0, MAX_FILE_CHARS) + "\n[cut: the file has " + f.text().length()
                        + " characters; the store keeps " + MAX_FILE_CHARS + "]")).toList();
        return new StoredVersion(flow, version, liveAt, kept);
    }

    /** Whether {@link #bounded()} drops or cuts anything. */
    boolean overLimits() {
        return files.size() > MAX_FILES || files.stream().anyMatch(f -> f.text().length() > MAX_FILE_CHARS);
    }
}
