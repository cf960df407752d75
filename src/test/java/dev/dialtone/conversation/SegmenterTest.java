package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SegmenterTest {

    /** Streams the text in small deltas, like an LLM, and returns every segment. */
    private static List<String> segments(String text, int deltaSize) {
        var segmenter = new Segmenter();
        var out = new ArrayList<String>();
        for (int i = 0; i < text.length(); i += deltaSize) {
            out.addAll(segmenter.add(text.substring(i, Math.min(text.length(), i + deltaSize))));
        }
        segmenter.flush().ifPresent(out::add);
        return out;
    }

    @Test
    void cutsAtSentenceEnds() {
        assertThat(segments("Sure! Your pizza is ready. Anything else?", 3))
                .containsExactly("Sure!", "Your pizza is ready.", "Anything else?");
    }

    @Test
    void aSentenceIsClosedAsSoonAsTheNextWordStarts() {
        var segmenter = new Segmenter();
        assertThat(segmenter.add("Hello there.")).isEmpty(); // "." at the end could be "3." of "3.50"
        assertThat(segmenter.add(" How")).containsExactly("Hello there.");
    }

    @Test
    void neverCutsAbbreviationsInitialsNumbersEmailsOrUrls() {
        var text = "Dr. Smith sees you at 10:30 a.m. on Main St. tomorrow. It costs $3.50, e.g. with J. R. Tolkien's "
                   + "discount. Write to jane.doe@example.com or see https://example.com/a.b?c=1. That is 1,000 points.";
        assertThat(segments(text, 2)).containsExactly(
                "Dr. Smith sees you at 10:30 a.m. on Main St. tomorrow.",
                "It costs $3.50, e.g. with J. R. Tolkien's discount.",
                "Write to jane.doe@example.com or see https://example.com/a.b?c=1.",
                "That is 1,000 points.");
    }

    @Test
    void aLongFirstSentenceIsCutAtAClauseSoTheFirstAudioComesEarly() {
        var out = segments("Well, if you would like the large pepperoni with extra cheese, that comes to twenty "
                           + "dollars, and it will be ready in about half an hour.", 4);
        assertThat(out.getFirst()).isEqualTo("Well, if you would like the large pepperoni with extra cheese,");
        assertThat(String.join(" ", out)).isEqualTo("Well, if you would like the large pepperoni with extra cheese, "
                + "that comes to twenty dollars, and it will be ready in about half an hour.");
    }

    @Test
    void shortClausesAfterTheFirstSegmentStayWithTheirSentence() {
        assertThat(segments("Okay. Yes, we have it, and it is fresh.", 5))
                .containsExactly("Okay.", "Yes, we have it, and it is fresh.");
    }

    @Test
    void aRunOnWithoutPunctuationIsCutAtASpace() {
        var words = "word ".repeat(100).strip();
        var out = segments(words, 7);
        assertThat(out).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(Segmenter.MAX_CHARS));
        assertThat(String.join(" ", out)).isEqualTo(words);
    }

    @Test
    void resetForgetsPendingText() {
        var segmenter = new Segmenter();
        segmenter.add("I was saying");
        segmenter.reset();
        assertThat(segmenter.flush()).isEmpty();
    }
}
