package dev.dialtone.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The heap that survives a collection, from the collectors' own after-collection reports. Reading
 * "used heap" instead would count the garbage a concurrent collector (ZGC) has not reclaimed yet.
 */
final class HeapAfterGc {
    private static final AtomicLong LAST = new AtomicLong();
    private static final AtomicLong COLLECTIONS = new AtomicLong();

    static {
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                    if (info.getGcName().contains("Pauses")) {
                        return; // ZGC's pause beans report the heap as it was, garbage included
                    }
                    long after = heapOnly(info.getGcInfo().getMemoryUsageAfterGc());
                    LAST.set(after);
                    COLLECTIONS.incrementAndGet();
                }
            }, null, null);
        }
    }

    private HeapAfterGc() {
    }

    /** Collects now and returns what survived: the baseline before a level. */
    static long collect() throws InterruptedException {
        long seen = COLLECTIONS.get();
        System.gc();
        for (int i = 0; i < 250 && COLLECTIONS.get() == seen; i++) {
            Thread.sleep(20); // the notification comes from another thread, shortly after
        }
        return LAST.get();
    }

    private static long heapOnly(Map<String, MemoryUsage> pools) {
        long sum = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            var usage = pool.getType() == MemoryType.HEAP ? pools.get(pool.getName()) : null;
            if (usage != null) {
                sum += usage.getUsed();
            }
        }
        return sum;
    }
}
