package dev.dialtone.speech.deepgram;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeServer;
import dev.dialtone.net.EventRecorder;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.SttOptions;

/**
 * A Deepgram that takes the socket and then stops reading: the caller's audio keeps flowing into
 * the session without ever waiting on that socket (the thread handing it in is the Twilio
 * stream's reader, which also carries marks, DTMF and stop).
 */
class StalledDeepgramTest {
    private static final SttOptions OPTIONS = new SttOptions("nova-3", "en-US", OptionalInt.of(300), OptionalInt.of(1000),
                                                             List.of(), true);

    @Test
    void audioForADeepgramThatStoppedReadingNeverBlocksTheCallersThread() throws Exception {
        var release = new CountDownLatch(1);
        var firstRead = new CountDownLatch(1);
        try (var deaf = new FakeServer(exchange -> {
            var socket = exchange.upgrade();
            socket.read(); // the first frame, then nothing more: the TCP buffers fill up
            firstRead.countDown();
            release.await(30, TimeUnit.SECONDS);
        })) {
            var events = new EventRecorder<SttEvent>();
            var session = new DeepgramSpeechToText(URI.create("http://127.0.0.1:" + deaf.port()), "dg-secret",
                                                   DeepgramSpeechToText.Timing.defaults()).open(OPTIONS, events);
            var frame = new byte[16_000]; // 2 s of audio a call: 32 MB in all, far beyond any socket buffer
            session.sendAudio(frame);
            assertThat(firstRead.await(10, TimeUnit.SECONDS)).isTrue(); // connected, and its writer idle again
            var handedIn = new CountDownLatch(1);
            var caller = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2_000; i++) {
                    session.sendAudio(frame);
                }
                handedIn.countDown();
            });
            boolean returned = handedIn.await(3, TimeUnit.SECONDS); // far under the socket's 5 s send time-out
            release.countDown();
            caller.join();
            session.close();
            assertThat(returned).as("every frame was handed in while the socket was stuck").isTrue();
        }
    }
}
