package io.pseudolabel.labeler;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFingerprintTest {
    static final List<String> CLASSES = List.of("cat", "dog");

    @TempDir
    Path tmp;
    Path models;

    static Path copyModels(Path root) throws IOException {
        for (String d : List.of("clip", "grounding-dino", "sam")) {
            Fixtures.copyTree(Fixtures.model(d), root.resolve(d));
        }
        return root;
    }

    @BeforeEach
    void copy() throws IOException {
        models = copyModels(tmp.resolve("models"));
    }

    LabelerSettings settings(Map<String, String> overrides) {
        HashMap<String, String> m = new HashMap<>(overrides);
        m.put("models.dir", models.toString());
        return Fixtures.settings(m);
    }

    String fp(Map<String, String> overrides) {
        return ModelFingerprint.of(settings(overrides), CLASSES);
    }

    static void flipByte(Path file, long at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int i = (int) (at < 0 ? b.length + at : at);
        b[i] ^= 0x01;
        Files.write(file, b);
    }

    @Test
    void stableForTheSameFilesAndSettings() throws IOException {
        String a = fp(Map.of());
        assertEquals(16, a.length());
        assertTrue(a.matches("[0-9a-f]{16}"), a);
        assertEquals(a, fp(Map.of()));
        // the same files in another directory: only paths relative to each model directory count
        Path elsewhere = copyModels(tmp.resolve("elsewhere"));
        assertEquals(a, ModelFingerprint.of(Fixtures.settings(Map.of("models.dir", elsewhere.toString())), CLASSES));
    }

    @Test
    void changesWithAThresholdTheClassesOrTheSupervision() {
        String a = fp(Map.of());
        assertNotEquals(a, fp(Map.of("grounding-dino.box-threshold", "0.4")));
        assertNotEquals(a, fp(Map.of("clip.min-prob", "0.2")));
        assertNotEquals(a, fp(Map.of("grouping.overlap", "score")));
        assertNotEquals(a, fp(Map.of("sam.mask-threshold", "0.5")));
        assertNotEquals(a, ModelFingerprint.of(settings(Map.of()), List.of("dog", "cat")));
        assertNotEquals(a, fp(Map.of("supervision", "image-labels")));
    }

    @Test
    void changesWhenAModelFileChanges() throws IOException {
        String a = fp(Map.of());
        Path decoder = models.resolve("sam/onnx/decoder.onnx");
        flipByte(decoder, Files.size(decoder) / 2);
        String flipped = fp(Map.of());
        assertNotEquals(a, flipped);
        flipByte(decoder, Files.size(decoder) / 2);
        assertEquals(a, fp(Map.of()));
        // a renamed or added file counts too
        Files.copy(models.resolve("clip/tokenizer.json"), models.resolve("clip/extra.json"));
        assertNotEquals(a, fp(Map.of()));
    }

    @Test
    void aChangeAnywhereInALargeFileCounts() throws IOException {
        Path big = models.resolve("grounding-dino/onnx/model_data.bin");
        Files.write(big, new byte[3 << 20]);
        String a = fp(Map.of());
        for (long at : new long[] {5, (3 << 20) / 2, -1}) { // head, middle (never read before), tail
            flipByte(big, at);
            assertNotEquals(a, fp(Map.of()), "a byte flipped at " + at);
            flipByte(big, at);
            assertEquals(a, fp(Map.of()));
        }
    }

    @Test
    void throughputSettingsDoNotCount() {
        String a = fp(Map.of());
        assertEquals(a, fp(Map.of("clip.text-batch-size", "7")));
        assertEquals(a, fp(Map.of("models.ort.intra-op-threads", "1", "models.ort.inter-op-threads", "2")));
        assertEquals(a, fp(Map.of("models.ort.opt-level", "BASIC_OPT", "models.device", "gpu")));
    }

    @Test
    void theCanonicalTextNamesTheLabelerVersionAndEachFileByContent() throws IOException {
        String text = ModelFingerprint.describe(settings(Map.of()), CLASSES, ContentHashes.at(tmp.resolve("h.tsv")));
        assertTrue(text.startsWith("labeler-version=" + ModelFingerprint.LABELER_VERSION + "\n"), text);
        Path decoder = models.resolve("sam/onnx/decoder.onnx");
        assertTrue(text.contains("model.sam=[\"onnx/decoder.onnx\"] " + Files.size(decoder) + " "
                + ContentHashes.hash(decoder) + "\n"), text);
        assertTrue(text.contains("clip.templates=[\"a photo of a {}.\","), text);
        assertFalse(text.contains("batch"), text);
        // Settings of models the mode does not run are not part of it.
        String boxes = ModelFingerprint.describe(settings(Map.of("supervision", "boxes")), CLASSES,
                ContentHashes.at(tmp.resolve("h.tsv")));
        assertFalse(boxes.contains("clip.") || boxes.contains("grounding-dino."), boxes);
        assertEquals(fp(Map.of("supervision", "boxes")), fp(Map.of("supervision", "boxes", "clip.top-n", "1",
                "grounding-dino.box-threshold", "0.9")));
    }

    @Test
    void ignoresTheSamEncoderBatchSize() {
        // it changes how many images go into one encoder call, never a label; runs labelled before the key existed
        // keep their fingerprint
        String a = fp(Map.of());
        assertEquals(a, fp(Map.of("sam.image-batch-size", "1")));
    }

    @Test
    void ignoresTheDevice() {
        LabelerSettings cpu = settings(Map.of());
        String a = ModelFingerprint.of(cpu, CLASSES);
        assertEquals(a, ModelFingerprint.of(cpu.withRuntime(new RuntimeOptions(ExecutionDevice.GPU, 3, OptLevel.ALL_OPT, 0, 0)),
                CLASSES));
        assertEquals(a, ModelFingerprint.of(cpu.withRuntime(new RuntimeOptions(ExecutionDevice.AUTO, -1, OptLevel.ALL_OPT, 4, 2)),
                CLASSES));
    }

    @Test
    void onlyTheModelsTheModeUsesCount() throws IOException {
        String boxes = fp(Map.of("supervision", "boxes"));
        String labels = fp(Map.of("supervision", "image-labels"));
        flipByte(models.resolve("clip/onnx/text_model.onnx"), 100);
        assertEquals(boxes, fp(Map.of("supervision", "boxes"))); // boxes mode runs SAM only
        assertEquals(labels, fp(Map.of("supervision", "image-labels"))); // no CLIP with given labels
        flipByte(models.resolve("grounding-dino/onnx/model.onnx"), 100);
        assertEquals(boxes, fp(Map.of("supervision", "boxes")));
        assertNotEquals(labels, fp(Map.of("supervision", "image-labels")));
    }

    @Test
    void aMissingModelDirectoryIsNamed() throws IOException {
        Path sam = models.resolve("sam");
        try (Stream<Path> files = Files.walk(sam)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fp(Map.of()));
        assertTrue(e.getMessage().contains(sam.toString()), e.getMessage());
    }

    @Test
    void clipFingerprintFollowsTheClipFilesOnlyWhereverTheyAre() throws IOException {
        Path a = tmp.resolve("a/clip");
        Path b = tmp.resolve("b/clip");
        Fixtures.copyTree(Fixtures.model("clip"), a);
        Fixtures.copyTree(Fixtures.model("clip"), b);
        Files.createFile(b.resolve(".complete")); // a localised copy's marker
        assertEquals(ModelFingerprint.ofClip(a), ModelFingerprint.ofClip(b));
        // huggingface-cli download leaves timestamped metadata under .cache/: not part of the model
        Path meta = b.resolve(".cache/huggingface/download/onnx/vision_model.onnx.metadata");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "etag\n1764100000.123\n");
        assertEquals(ModelFingerprint.ofClip(a), ModelFingerprint.ofClip(b));
        Files.writeString(meta, "etag\n1764200000.456\n");
        assertEquals(ModelFingerprint.ofClip(a), ModelFingerprint.ofClip(b));
        assertNotEquals(ModelFingerprint.ofClip(Fixtures.model("clip")),
                ModelFingerprint.ofClip(Fixtures.model("clip-confused")));
        assertNotEquals("base", ModelFingerprint.withHead("base", "h1"));
        assertNotEquals(ModelFingerprint.withHead("base", "h1"), ModelFingerprint.withHead("base", "h2"));
        assertEquals(ModelFingerprint.withHead("base", "h1"), ModelFingerprint.withHead("base", "h1"));
    }
}
