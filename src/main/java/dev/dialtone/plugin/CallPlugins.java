package dev.dialtone.plugin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The plugin contexts one phone call keeps between its tool calls: at most one per plugin version,
 * which only this call's later runs of that plugin use, so module state lasts for the phone call and
 * never reaches another call. The conversation makes one per call and {@link #close()}s it when the
 * call ends; a run still going then closes its context when it finishes. A context in a run is not
 * kept here, so two tool calls of one call running at once each have their own. {@link PluginTool}
 * decides what is kept (a run that succeeded, within the budget of a kept context and the runtime's
 * count of kept contexts, see {@link PluginLimits}); everything here is thread-safe.
 */
public final class CallPlugins implements AutoCloseable {
    private static final CallPlugins NONE = new CallPlugins(false);

    /** A kept context and what it has allocated so far: its start and all its runs. */
    record Kept(Guest guest, long allocatedBytes) {
    }

    private final boolean keeps;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<PluginTool, Kept> idle = new HashMap<>(); // lock: the contexts not in a run
    private boolean closed; // lock

    /** A phone call's: keeps contexts until {@link #close()}. */
    public CallPlugins() {
        this(true);
    }

    private CallPlugins(boolean keeps) {
        this.keeps = keeps;
    }

    /** Keeps nothing: every tool call gets a context of its own (a tool called outside a phone call). */
    public static CallPlugins none() {
        return NONE;
    }

    /** Whether contexts may be kept here (false once closed, and for {@link #none()}). */
    boolean keeps() {
        lock.lock();
        try {
            return keeps && !closed;
        } finally {
            lock.unlock();
        }
    }

    /** The context kept for {@code tool}, now the caller's alone; empty if none is kept. */
    Optional<Kept> take(PluginTool tool) {
        lock.lock();
        try {
            return Optional.ofNullable(idle.remove(tool));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps {@code kept} for this call's next run of {@code tool}. False, and nothing kept, when the
     * call has ended or keeps no contexts, or already keeps one for {@code tool} (a parallel run's):
     * the caller then discards it.
     */
    boolean keep(PluginTool tool, Kept kept) {
        lock.lock();
        try {
            if (!keeps || closed || idle.containsKey(tool)) {
                return false;
            }
            idle.put(tool, kept);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Number of contexts kept now (for tests). */
    int kept() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** The call ended: closes every kept context; contexts of runs still going close as they finish. Idempotent. */
    @Override
    public void close() {
        var gone = new ArrayList<Map.Entry<PluginTool, Kept>>();
        lock.lock();
        try {
            closed = true;
            gone.addAll(idle.entrySet());
            idle.clear();
        } finally {
            lock.unlock();
        }
        for (var entry : gone) {
            entry.getKey().release(entry.getValue());
        }
    }
}
