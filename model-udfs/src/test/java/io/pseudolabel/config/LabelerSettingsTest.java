package io.pseudolabel.config;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.typesafe.config.ConfigFactory;
import io.pseudolabel.dino.PromptMode;
import io.pseudolabel.masks.OverlapRule;
import io.pseudolabel.onnx.ExecutionDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelerSettingsTest {

    static LabelerSettings settings(Map<String, String> overrides) {
        return LabelerSettings.from(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void referenceDefaults() {
        LabelerSettings s = settings(Map.of("pseudolabel.models.dir", "/m"));
        assertEquals(ExecutionDevice.AUTO, s.runtime().device());
        assertEquals(-1, s.runtime().gpuId());
        assertEquals(OptLevel.ALL_OPT, s.runtime().optLevel());
        assertEquals(Supervision.NONE, s.supervision());
        assertEquals(100f, s.clip().logitScale());
        assertEquals(3, s.clip().topN());
        assertEquals(0.1f, s.clip().minProb());
        assertEquals(6, s.clip().templates().size());
        assertEquals(0.35f, s.dino().boxThreshold());
        assertEquals(0.25f, s.dino().textThreshold());
        assertEquals(PromptMode.PER_CLASS, s.dino().promptMode());
        assertEquals(0f, s.sam().maskThreshold());
        assertEquals(4, s.sam().imageBatchSize());
        assertEquals(OverlapRule.SMALLER_ON_TOP, s.overlap());
        assertEquals(0.05f, s.grouping().boxMargin());
        assertEquals(0.3f, s.grouping().minBoxIou());
        assertEquals(100_000_000L, s.maxPixels());
        assertEquals(Path.of("/m/clip"), s.clipPath());
        assertEquals(Path.of("/m/grounding-dino"), s.dinoPath());
        assertEquals(Path.of("/m/sam"), s.samPath());
    }

    @Test
    void perModelDirectoriesWin() {
        LabelerSettings s = settings(Map.of("pseudolabel.models.dir", "/m", "pseudolabel.models.sam", "/other/sam"));
        assertEquals(Path.of("/other/sam"), s.samPath());
        assertEquals(Path.of("/m/clip"), s.clipPath());
    }

    @Test
    void noModelDirectoryIsAClearError() {
        LabelerSettings s = settings(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::clipPath);
        assertTrue(e.getMessage().contains("--models") && e.getMessage().contains("pseudolabel.models.dir")
                && e.getMessage().contains("pseudolabel.models.clip"), e.getMessage());
    }

    @Test
    void parsedValues() {
        LabelerSettings s = settings(Map.of("pseudolabel.grouping.overlap", "Ignore", "pseudolabel.supervision",
                "image-labels", "pseudolabel.models.device", "GPU", "pseudolabel.grounding-dino.prompt-mode", "joint"));
        assertEquals(OverlapRule.IGNORE, s.overlap());
        assertEquals(Supervision.IMAGE_LABELS, s.supervision());
        assertEquals(ExecutionDevice.GPU, s.runtime().device());
        assertEquals(PromptMode.JOINT, s.dino().promptMode());
        assertEquals(Supervision.BOXES, settings(Map.of("pseudolabel.supervision", "boxes")).supervision());
        assertEquals(OverlapRule.SCORE, settings(Map.of("pseudolabel.grouping.overlap", "score")).overlap());
    }

    /** Every bad value fails with the full key and the value given. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "grouping.overlap,              foo,     smaller-on-top",
        "supervision,                   bar,     image-labels",
        "models.device,                 tpu,     auto, cpu, gpu",
        "grounding-dino.prompt-mode,    both,    per-class",
        "models.ort.opt-level,          FASTEST, ALL_OPT",
        "clip.top-n,                    three,   NUMBER",
        "grounding-dino.box-threshold,  high,    NUMBER"})
    void badValuesNameTheKey(String key, String value, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("pseudolabel." + key, value)));
        String m = e.getMessage();
        assertTrue(m.contains("pseudolabel." + key), "message does not name pseudolabel." + key + ": " + m);
        assertTrue(m.contains(value) || m.contains("STRING"), m);
        assertTrue(m.contains(expected.split(",")[0]), m);
    }

    @Test
    void samImageBatchSizeIsAtLeastOne() {
        assertEquals(2, settings(Map.of("pseudolabel.sam.image-batch-size", "2")).sam().imageBatchSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("pseudolabel.sam.image-batch-size", "0")));
        assertTrue(e.getMessage().contains("pseudolabel.sam.image-batch-size") && e.getMessage().contains("0"),
                e.getMessage());
    }

    @Test
    void templatesMustHoldAPlaceholder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelerSettings.from(ConfigFactory.parseString("pseudolabel.clip.templates = [\"a photo\"]")
                        .withFallback(ConfigFactory.defaultReference())));
        assertTrue(e.getMessage().contains("clip.templates") && e.getMessage().contains("{}"), e.getMessage());
    }

    @Test
    void theSettingsAreSerialisableForExecutors() throws Exception {
        LabelerSettings s = settings(Map.of("pseudolabel.models.dir", "/m"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(s, in.readObject());
        }
    }
}
