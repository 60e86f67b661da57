package io.pseudolabel.clip.head;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.clip.ClipSettings;
import io.pseudolabel.clip.ClipZeroShot;
import io.pseudolabel.clip.ImageClassifier;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipHeadTest {

    static ClipHead head(boolean multi) {
        // dim 4, 2 classes
        return new ClipHead(List.of("cat", "dog"), "fp1", multi, 4, 1e-5f, new float[] {1, 2, 1, 1},
                new float[] {0, 0, 0.5f, 0}, new float[] {1, 0, 0, 0, 0, 1, 0, 0}, new float[] {0.1f, -0.1f});
    }

    @Test
    void layerNormOfTheUnitEmbeddingThenLinear() {
        // [3,0,0,4] -> unit [0.6,0,0,0.8]; mean 0.35, biased var ((.25)^2+(.35)^2*2+(.45)^2)/4 = 0.1275
        float[] f = head(false).features(new float[] {3, 0, 0, 4});
        double sd = Math.sqrt(0.1275 + 1e-5);
        assertArrayEquals(new float[] {(float) (0.25 / sd), (float) (2 * -0.35 / sd), (float) (-0.35 / sd + 0.5),
            (float) (0.45 / sd)}, f, 1e-5f);
        float[] z = head(false).logits(new float[] {3, 0, 0, 4});
        assertArrayEquals(new float[] {f[0] + 0.1f, f[1] - 0.1f}, z, 1e-5f);
        float[] soft = head(false).probabilities(new float[] {3, 0, 0, 4});
        double e0 = Math.exp(z[0]);
        double e1 = Math.exp(z[1]);
        assertArrayEquals(new float[] {(float) (e0 / (e0 + e1)), (float) (e1 / (e0 + e1))}, soft, 1e-6f);
        float[] sig = head(true).probabilities(new float[] {3, 0, 0, 4});
        assertArrayEquals(new float[] {(float) (1 / (1 + Math.exp(-z[0]))), (float) (1 / (1 + Math.exp(-z[1])))}, sig,
                1e-6f);
    }

    @Test
    void aMultiLabelHeadKeepsClassesAtClipHeadMinProbNotTheSoftmaxThreshold() {
        ClipSettings s = new ClipSettings(100, 3, 0.1f, 0.5f, 8,
                List.of("a photo of a {}."));
        assertEquals(0.5f, head(true).minProb(s));
        assertEquals(0.1f, head(false).minProb(s));
        // Independent sigmoids 0.9 and 0.3: a class at 0.3 is not picked under the multi-label threshold.
        float[] sigmoids = {0.9f, 0.3f};
        assertEquals(List.of(0), ClipZeroShot.topLabels(sigmoids, 3, head(true).minProb(s)));
        assertEquals(List.of(0, 1), ClipZeroShot.topLabels(sigmoids, 3, s.minProb()));
        // Zero-shot keeps clip.min-prob.
        ImageClassifier zeroShot = new ImageClassifier() {
            public List<String> classNames() {
                return List.of("cat", "dog");
            }

            public String modelFingerprint() {
                return "fp";
            }

            public float[] probabilities(float[] e) {
                return e;
            }
        };
        assertEquals(0.1f, zeroShot.minProb(s));
    }

    @Test
    void refusesEmbeddingsOfAnotherSizeAndArraysThatDoNotFit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> head(false).probabilities(new float[5]));
        assertTrue(e.getMessage().contains("4-dim"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClipHead(List.of("a"), "f", false, 4, 1e-5f,
                new float[4], new float[4], new float[3], new float[1]));
    }

    @Test
    void fileRoundTripsEveryFieldAndDigestFollowsTheWeights() throws IOException {
        ClipHead h = head(true);
        byte[] bytes = ClipHeadFormat.toBytes(h, Map.of("epochs", 3));
        assertEquals("PLCLIPHD", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
        ClipHead back = ClipHeadFormat.read(new ByteArrayInputStream(bytes), "mem");
        assertEquals(h.classNames(), back.classNames());
        assertEquals("fp1", back.clipFingerprint());
        assertTrue(back.multiLabel());
        assertEquals(4, back.dim());
        assertEquals(1e-5f, back.layerNormEps());
        assertArrayEquals(h.gamma(), back.gamma());
        assertArrayEquals(h.beta(), back.beta());
        assertArrayEquals(h.weight(), back.weight());
        assertArrayEquals(h.bias(), back.bias());
        assertEquals(ClipHeadFormat.digest(h), ClipHeadFormat.digest(back));
        float[] w = h.weight().clone();
        w[3] = 0.5f;
        ClipHead other = new ClipHead(h.classNames(), "fp1", true, 4, 1e-5f, h.gamma(), h.beta(), w, h.bias());
        assertNotEquals(ClipHeadFormat.digest(h), ClipHeadFormat.digest(other));
    }

    @Test
    void digestCoversWhatTheHeadComputesNotTheHeadersPresentation() throws IOException {
        ClipHead h = head(true);
        // Pinned: SHA-256 of int32 LE counts/lengths, UTF-8 names and fingerprint, a multi-label byte, dim, eps
        // and the float32 LE weights (computed independently in Python), whatever the header's text says.
        assertEquals("2bd7ae99b4c76c0e", ClipHeadFormat.digest(h));
        ClipHead a = ClipHeadFormat.read(new ByteArrayInputStream(ClipHeadFormat.toBytes(h, Map.of("epochs", 3,
                "final_loss", 0.1))), "a");
        ClipHead b = ClipHeadFormat.read(new ByteArrayInputStream(ClipHeadFormat.toBytes(h, Map.of("epochs", 30,
                "note", "retrained elsewhere"))), "b");
        assertEquals(ClipHeadFormat.digest(a), ClipHeadFormat.digest(b));
        // Compact JSON and no descriptions: the same head, the same digest.
        byte[] compact = withHeader(ClipHeadFormat.toBytes(h, Map.of()), j -> {
            j.remove("input");
            j.remove("layout");
            j.remove("training");
        });
        assertEquals(ClipHeadFormat.digest(h), ClipHeadFormat.digest(ClipHeadFormat.read(
                new ByteArrayInputStream(compact), "compact")));
        float[] bias = h.bias().clone();
        bias[1] = Math.nextUp(bias[1]);
        assertNotEquals(ClipHeadFormat.digest(h), ClipHeadFormat.digest(new ClipHead(h.classNames(), "fp1", true, 4,
                1e-5f, h.gamma(), h.beta(), h.weight(), bias)));
        assertNotEquals(ClipHeadFormat.digest(h), ClipHeadFormat.digest(head(false)));
        assertNotEquals(ClipHeadFormat.digest(h), ClipHeadFormat.digest(new ClipHead(List.of("dog", "cat"), "fp1",
                true, 4, 1e-5f, h.gamma(), h.beta(), h.weight(), h.bias())));
    }

    @Test
    void badFilesNameTheFileAndWhatIsWrong() {
        byte[] good = ClipHeadFormat.toBytes(head(false), Map.of());
        assertBad("not a CLIP head", "hello world, not a head".getBytes());
        assertBad("is truncated", Arrays.copyOf(good, good.length - 3));
        byte[] longer = Arrays.copyOf(good, good.length + 4);
        assertBad("bytes after", longer);
        byte[] nan = good.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(good.length - 4, Float.NaN);
        assertBad("non-finite", nan);
    }

    @Test
    void corruptHeadersAreRefusedBeforeAnyBigAllocationNamingTheFileAndKey() {
        byte[] good = ClipHeadFormat.toBytes(head(false), Map.of());
        // dim 2^20 x 2 classes: payload is far larger than the file; dim 2^30: c * dim and 4 * n overflow int.
        assertBad("dim 1048576", withHeader(good, h -> h.addProperty("dim", 1 << 20)));
        assertBad("dim 1073741824", withHeader(good, h -> h.addProperty("dim", 1 << 30)));
        assertBad("dim -4", withHeader(good, h -> h.addProperty("dim", -4)));
        assertBad("format_version 2", withHeader(good, h -> h.addProperty("format_version", 2)));
        assertBad("'format_version' is 1.5, not an integer",
                withHeader(good, h -> h.addProperty("format_version", 1.5)));
        assertBad("'format_version' is \"1\", not a number",
                withHeader(good, h -> h.addProperty("format_version", "1")));
        assertBad("no 'clip_fingerprint'", withHeader(good, h -> h.remove("clip_fingerprint")));
        assertBad("no 'layer_norm_eps'", withHeader(good, h -> h.remove("layer_norm_eps")));
        assertBad("no 'multi_label'", withHeader(good, h -> h.remove("multi_label")));
        assertBad("'multi_label' is \"false\", not true or false",
                withHeader(good, h -> h.addProperty("multi_label", "false")));
        assertBad("'multi_label' is 1, not true or false", withHeader(good, h -> h.addProperty("multi_label", 1)));
        assertBad("'layer_norm_eps' is \"tiny\", not a number",
                withHeader(good, h -> h.addProperty("layer_norm_eps", "tiny")));
        byte[] longHeader = good.clone();
        ByteBuffer.wrap(longHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        assertBad("header length 4294967295 is out of range", longHeader);
        byte[] zeroHeader = good.clone();
        ByteBuffer.wrap(zeroHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
        assertBad("header length 0 is out of range", zeroHeader);
        assertBad("is truncated", Arrays.copyOf(good, good.length - 40));
    }

    /** {@code good} with its JSON header edited and the payload kept. */
    static byte[] withHeader(byte[] good, Consumer<JsonObject> edit) {
        ByteBuffer in = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        int n = in.getInt(8);
        JsonObject h = JsonParser.parseString(
                new String(good, 12, n, StandardCharsets.UTF_8)).getAsJsonObject();
        edit.accept(h);
        byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
        byte[] payload = Arrays.copyOfRange(good, 12 + n, good.length);
        return ByteBuffer.allocate(12 + json.length + payload.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(good, 0, 8).putInt(json.length).put(json).put(payload).array();
    }

    private static void assertBad(String expected, byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipHeadFormat.read(new ByteArrayInputStream(bytes), "s3a://b/head.bin"));
        assertTrue(e.getMessage().contains("s3a://b/head.bin") && e.getMessage().contains(expected), e.getMessage());
    }
}
