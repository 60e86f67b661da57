package io.pseudolabel.dino;

import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HF's grounded post-processing on plain arrays; sigmoid values: s(0)=0.5, s(1)=0.7310586, s(2)=0.8807971, s(3)=0.9525741, s(-1)=0.2689414, s(-1.5)=0.1824255. */
class DinoPostprocessorTest {
    static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void sigmoidIsExactAtTheEndsAndNeverOverflows() {
        assertEquals(0f, DinoPostprocessor.sigmoid(NEG_INF), 0f);
        assertEquals(1f, DinoPostprocessor.sigmoid(Float.POSITIVE_INFINITY), 0f);
        assertEquals(0.5f, DinoPostprocessor.sigmoid(0f), 0f);
        assertEquals(0.8807971f, DinoPostprocessor.sigmoid(2f), 1e-7f);
        assertEquals(0.1192029f, DinoPostprocessor.sigmoid(-2f), 1e-7f);
        // exp(1000) overflows a double; neither side may give NaN
        assertEquals(1f, DinoPostprocessor.sigmoid(1000f), 0f);
        assertEquals(0f, DinoPostprocessor.sigmoid(-1000f), 0f);
    }

    /** One query's logits over {@code columns}, -inf except the given (column, logit) pairs. */
    static float[] row(int columns, float... pairs) {
        float[] r = new float[columns];
        Arrays.fill(r, NEG_INF);
        for (int i = 0; i < pairs.length; i += 2) {
            r[(int) pairs[i]] = pairs[i + 1];
        }
        return r;
    }

    static float[] concat(float[]... rows) {
        float[] out = new float[Arrays.stream(rows).mapToInt(r -> r.length).sum()];
        int at = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }

    // "[CLS] cat . potted plant . [SEP]" + one padding column; phrase 0 is class 3, phrase 1 class 5
    static final String[] TOKENS = {"[CLS]", "cat", ".", "potted", "plant", ".", "[SEP]"};
    static final int[] PHRASES = DinoPrompt.tokenPhrases(TOKENS);
    static final int[] PHRASE_CLASS = {3, 5};
    static final int COLS = 8;

    static List<Detection> decode(float[] logits, float[] boxes, float boxThr, float textThr, int w, int h) {
        return DinoPostprocessor.decode(logits, boxes, boxes.length / 4, COLS, PHRASES, TOKENS, PHRASE_CLASS, boxThr,
                textThr, w, h);
    }

    static void assertBox(Box expected, Box actual) {
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(e[i], a[i], 1e-3f, "box " + actual + " vs " + expected);
        }
    }

    @Test
    void boxesBecomeOriginalImagePixelsAndThePhraseNamesTheClass() {
        // cx=.5 cy=.25 w=.2 h=.1 on 640x480: x 640*(.5-.1)=256 .. 640*(.5+.1)=384, y 480*(.25-.05)=96 .. 480*.3=144
        List<Detection> d = decode(row(COLS, 1, 2f), new float[] {0.5f, 0.25f, 0.2f, 0.1f}, 0.35f, 0.25f, 640, 480);
        assertEquals(1, d.size());
        assertEquals(3, d.get(0).classIndex());
        assertEquals("cat", d.get(0).phrase());
        assertEquals(0.8807971f, d.get(0).score(), 1e-6f);
        assertBox(new Box(256, 96, 384, 144), d.get(0).box());
    }

    @Test
    void boxThresholdIsStrict() {
        // s(0) = 0.5 is not > 0.5; s(0.01) = 0.5025 is
        float[] box = {0.5f, 0.5f, 0.2f, 0.2f};
        assertEquals(0, decode(row(COLS, 1, 0f), box, 0.5f, 0.25f, 100, 100).size());
        assertEquals(1, decode(row(COLS, 1, 0.01f), box, 0.5f, 0.25f, 100, 100).size());
        // default 0.35: s(-1) = 0.269 is dropped
        assertEquals(0, decode(row(COLS, 1, -1f), box, 0.35f, 0.25f, 100, 100).size());
    }

    @Test
    void scoreIsTheMaxOverAllColumnsButColumnZeroNeverNamesAPhrase() {
        float[] box = {0.5f, 0.5f, 0.2f, 0.2f};
        // [CLS] s(3)=0.9526 is the score; "cat" s(0)=0.5 > text 0.25 names the phrase
        List<Detection> d = decode(row(COLS, 0, 3f, 1, 0f), box, 0.35f, 0.25f, 100, 100);
        assertEquals(1, d.size());
        assertEquals(0.9525741f, d.get(0).score(), 1e-6f);
        assertEquals("cat", d.get(0).phrase());
        // only [CLS] is high, "cat" s(-1.5)=0.182 < text 0.25: no phrase, no detection
        assertEquals(0, decode(row(COLS, 0, 3f, 1, -1.5f), box, 0.35f, 0.25f, 100, 100).size());
        // the text threshold is strict too: s(0)=0.5 is not > 0.5
        assertEquals(0, decode(row(COLS, 0, 3f, 1, 0f), box, 0.35f, 0.5f, 100, 100).size());
    }

    @Test
    void columnsFrom255OnNeverNameAPhrase() {
        int cols = 300;
        String[] tokens = new String[cols];
        Arrays.fill(tokens, "cat");
        tokens[0] = "[CLS]";
        int[] phrases = DinoPrompt.tokenPhrases(tokens); // every column 1.. is phrase 0
        float[] box = {0.5f, 0.5f, 0.2f, 0.2f};
        // only column 255 is high: it sets the score but cannot name the phrase
        List<Detection> none = DinoPostprocessor.decode(row(cols, 255, 5f), box, 1, cols, phrases, tokens,
                new int[] {0}, 0.35f, 0.25f, 10, 10);
        assertEquals(0, none.size());
        // column 254 is the last usable one
        List<Detection> one = DinoPostprocessor.decode(row(cols, 254, 5f, 260, 6f), box, 1, cols, phrases, tokens,
                new int[] {0}, 0.35f, 0.25f, 10, 10);
        assertEquals(1, one.size());
        assertEquals("cat", one.get(0).phrase()); // one token: 260 is not part of the phrase text
        assertEquals(DinoPostprocessor.sigmoid(6f), one.get(0).score(), 0f);
    }

    @Test
    void paddingColumnsPastThePromptAreIgnored() {
        // column 7 is past the 7 prompt tokens; its logit would win if it were read as a token
        float[] box = {0.5f, 0.5f, 0.2f, 0.2f};
        List<Detection> d = decode(row(COLS, 7, 5f, 3, 1f), box, 0.35f, 0.25f, 100, 100);
        assertEquals(1, d.size());
        assertEquals(5, d.get(0).classIndex());
        assertEquals("potted", d.get(0).phrase()); // "plant" is -inf
    }

    @Test
    void theStrongestTokenChoosesThePhraseAndOnlyItsTokensAboveTheTextThresholdSpellIt() {
        float[] box = {0.5f, 0.5f, 0.2f, 0.2f};
        // cat s(1)=0.731, potted s(2)=0.881, plant s(0.5)=0.622 -> phrase 1 wins, spelled "potted plant"
        List<Detection> d = decode(row(COLS, 1, 1f, 3, 2f, 4, 0.5f), box, 0.35f, 0.25f, 100, 100);
        assertEquals(1, d.size());
        assertEquals(5, d.get(0).classIndex());
        assertEquals("potted plant", d.get(0).phrase());
        // cat s(3) is the strongest -> class 3, and the potted/plant tokens are not in its text
        d = decode(row(COLS, 1, 3f, 3, 2f, 4, 0.5f), box, 0.35f, 0.25f, 100, 100);
        assertEquals(3, d.get(0).classIndex());
        assertEquals("cat", d.get(0).phrase());
        // plant below the text threshold (s(-1.5)=0.182) is left out of the phrase
        d = decode(row(COLS, 3, 2f, 4, -1.5f), box, 0.35f, 0.25f, 100, 100);
        assertEquals("potted", d.get(0).phrase());
    }

    @Test
    void wordPiecesJoinWithoutTheirPrefix() {
        String[] tokens = {"[CLS]", "pot", "##ted", "plant", ".", "[SEP]"};
        int[] phrases = DinoPrompt.tokenPhrases(tokens);
        List<Detection> d = DinoPostprocessor.decode(row(6, 1, 1f, 2, 1f, 3, 1f), new float[] {0.5f, 0.5f, 0.2f, 0.2f},
                1, 6, phrases, tokens, new int[] {4}, 0.35f, 0.25f, 100, 100);
        assertEquals("potted plant", d.get(0).phrase());
        assertEquals(4, d.get(0).classIndex());
    }

    @Test
    void boxesAreClippedToTheImage() {
        // cx=.95 w=.2 on 100 wide: x 100*(.95-.1)=85 .. 100*1.05=105 -> 100
        // cy=.5 h=1.2 on 50 high: y 50*(.5-.6)=-5 -> 0 .. 50*1.1=55 -> 50
        List<Detection> d = decode(row(COLS, 1, 2f), new float[] {0.95f, 0.5f, 0.2f, 1.2f}, 0.35f, 0.25f, 100, 50);
        assertBox(new Box(85, 0, 100, 50), d.get(0).box());
    }

    @Test
    void everyQueryIsDecodedOnItsOwnInQueryOrder() {
        float[] logits = concat(row(COLS, 1, 2f), row(COLS, 1, -3f), row(COLS, 4, 3f));
        float[] boxes = {0.5f, 0.5f, 0.2f, 0.2f, 0.1f, 0.1f, 0.1f, 0.1f, 0.25f, 0.75f, 0.5f, 0.5f};
        List<Detection> d = decode(logits, boxes, 0.35f, 0.25f, 200, 100);
        assertEquals(2, d.size());
        assertEquals(3, d.get(0).classIndex());
        assertBox(new Box(80, 40, 120, 60), d.get(0).box()); // 200*(.5-.1), 100*(.5-.1), 200*.6, 100*.6
        assertEquals(5, d.get(1).classIndex());
        assertEquals("plant", d.get(1).phrase());
        assertBox(new Box(0, 50, 100, 100), d.get(1).box()); // 200*(.25-.25), 100*(.75-.25), 200*.5, 100*1.0
        assertTrue(d.get(1).score() > d.get(0).score());
    }
}
