package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the server collects its heap to give memory back: after the start and after calls, once quiet. */
class IdleMemoryTest {
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger collections = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000);
    private final IdleMemory idle = new IdleMemory(calls::get, collections::incrementAndGet, now::get);

    private void pass(Duration time) {
        now.addAndGet(time.toNanos());
    }

    @Test
    void theStartUpsGarbageIsCollectedOnceTheServerHasBeenQuietLongEnough() {
        pass(IdleMemory.QUIET.minusMillis(1));
        assertThat(idle.check()).isFalse();
        pass(Duration.ofMillis(1));
        assertThat(idle.check()).isTrue();
        pass(IdleMemory.QUIET.multipliedBy(5));
        assertThat(idle.check()).as("nothing happened since: no second collection").isFalse();
        assertThat(collections).hasValue(1);
    }

    @Test
    void noCollectionWhileACallIsUpAndOneAfterTheLastCallHasBeenGoneForTheQuietTime() {
        pass(IdleMemory.QUIET);
        idle.check();
        calls.set(3);
        pass(IdleMemory.QUIET.multipliedBy(3));
        assertThat(idle.check()).isFalse();
        calls.set(0);
        pass(IdleMemory.QUIET.minusMillis(1));
        assertThat(idle.check()).as("the quiet counts from the last time a call was seen").isFalse();
        pass(Duration.ofMillis(1));
        assertThat(idle.check()).isTrue();
        assertThat(collections).hasValue(2);
    }

    @Test
    void theQuietCountsFromTheLastLookThatSawACall() {
        pass(IdleMemory.QUIET);
        idle.check(); // the start-up's collection
        calls.set(1);
        pass(Duration.ofSeconds(1));
        idle.check();
        calls.set(0);
        pass(IdleMemory.QUIET.minusSeconds(1));
        assertThat(idle.check()).isFalse();
        pass(Duration.ofSeconds(1));
        assertThat(idle.check()).isTrue();
        assertThat(collections).hasValue(2);
    }
}
