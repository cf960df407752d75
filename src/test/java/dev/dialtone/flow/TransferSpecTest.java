package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** transfer_to and a key's transfer: a number (cold, as before) or a mapping that can make the transfer warm. */
class TransferSpecTest extends FlowSetTestBase {

    @Test
    void aNumberAloneIsAColdTransfer() {
        var flow = ModelTest.parse("name: a\ntransfer_to: \"+15550009999\"\ndtmf: { \"0\": { transfer: \"+15550008888\" } }\n");
        assertThat(flow.transfer()).contains(TransferSpec.cold("+15550009999"));
        assertThat(flow.transferTo()).contains("+15550009999");
        assertThat(flow.dtmf().get("0")).isEqualTo(new DtmfRoute.Transfer("+15550008888"));
    }

    @Test
    void theMappingFormReadsEverySetting() {
        var flow = ModelTest.parse("""
                name: a
                nodes: { order: { prompt: Take the order. } }
                transfer_to:
                  to: "+15550009999"
                  mode: warm
                  ring_s: 20
                  briefing: "Summarise for the kitchen."
                  on_no_answer: { node: order, say: "The kitchen is busy." }
                dtmf: { "0": { transfer: { to: "+15550008888", mode: warm } } }
                """);
        assertThat(flow.transfer()).contains(new TransferSpec("+15550009999", TransferSpec.Mode.WARM, Duration.ofSeconds(20),
                Optional.of("Summarise for the kitchen."), TransferSpec.TWILIO_HOLD_MUSIC, Optional.of("order"),
                Optional.of("The kitchen is busy.")));
        var key = ((DtmfRoute.Transfer) flow.dtmf().get("0")).spec();
        assertThat(key.warm()).isTrue();
        assertThat(key.ring()).isEqualTo(Duration.ofSeconds(TransferSpec.DEFAULT_RING_S));
        assertThat(key.returnNode()).isEmpty();
    }

    @Test
    void mistakesAreReportedAtTheirLines() {
        var f = files.flow("a.yaml", """
                name: a
                nodes: { order: { prompt: Take the order. } }
                transfer_to:
                  to: "5550009999"
                  mode: lukewarm
                  ring_s: 2
                  hold_music: ftp://x
                  on_no_answer: { node: ordr, colour: red }
                dtmf:
                  "0": { transfer: { mode: warm } }
                """);
        assertThat(problems()).extracting(Problem::toString).containsExactly(
                f + ":4: transfer_to to '5550009999' is not an E.164 number (a + then 7 to 15 digits, e.g. \"+15550001111\")",
                f + ":5: unknown transfer_to mode 'lukewarm' (known: cold, warm)",
                f + ":6: transfer_to ring_s must be a whole number from 5 to 120",
                f + ":7: transfer_to hold_music 'ftp://x' must be an http:// or https:// URL",
                f + ":8: unknown key 'colour' in transfer_to on_no_answer",
                f + ":8: transfer_to on_no_answer goes to node 'ordr', which does not exist (did you mean 'order'?)",
                f + ":10: dtmf 0 transfer needs a to");
    }
}
