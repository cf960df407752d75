package dev.dialtone.flow;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.file.WatchKey;

/**
 * Watches folders and calls {@code onChange} once per burst of file events, after the folders
 * have been quiet for {@code quiet}: editors save in several steps (write a temp file and rename
 * it, truncate then write, delete then create), and the burst is handled as one change. A
 * Kubernetes ConfigMap volume is a folder too: kubelet's update renames a new {@code ..data} link
 * over the old one in the watched folder, which is an event like any other (ConfigMapMountTest).
 * Runs on its own virtual thread; {@code onChange} runs on that thread too.
 */
final class FolderWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FolderWatch.class.getName());
    private static final Duration MAX_BURST = Duration.ofSeconds(2);

    private final List<Path> folders;
    private final Duration quiet;
    private final Runnable onChange;
    private WatchService service; // set by start() on the caller's thread, before the watch thread starts
    private Thread thread; // likewise

    FolderWatch(List<Path> folders, Duration quiet, Runnable onChange) {
        this.folders = List.copyOf(folders);
        this.quiet = quiet;
        this.onChange = onChange;
    }

    void start() throws IOException {
        service = FileSystems.getDefault().newWatchService();
        for (var folder : folders) {
            if (Files.isDirectory(folder)) {
                folder.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } else {
                LOG.log(System.Logger.Level.WARNING, "not watching " + folder + ": it is not a folder");
            }
        }
        thread = Thread.ofVirtual().name("flow-watch").start(this::loop);
    }

    private void loop() {
        try {
            while (true) {
                var key = service.take();
                drain(key);
                // Wait until no event has arrived for `quiet`; every event restarts the wait, but a
                // folder that never stops changing is still loaded every MAX_BURST.
                long burstEnd = System.nanoTime() + MAX_BURST.toNanos();
                while (System.nanoTime() - burstEnd < 0
                        && (key = service.poll(quiet.toNanos(), TimeUnit.NANOSECONDS)) != null) {
                    drain(key);
                }
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "reload after a file change failed", e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closed: the watch ends.
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    @Override
    public void close() {
        try {
            if (service != null) {
                service.close();
            }
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
