package io.pseudolabel.onnx;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.dino.DinoModel;
import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.sam.SamModel;
import io.pseudolabel.sam.SamSettings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model directory of the wrong kind fails at load, naming the file and what was expected and found. */
class ModelLoadErrorsTest {
    static final RuntimeOptions CPU = Fixtures.cpu();

    @TempDir
    Path tmp;

    Path copyOf(String fixture) throws IOException {
        Path dir = tmp.resolve(fixture);
        Fixtures.copyTree(Fixtures.model(fixture), dir);
        return dir;
    }

    static String fails(Executable load, String... mustContain) {
        ModelContractException e = assertThrows(ModelContractException.class, load);
        for (String s : mustContain) {
            assertTrue(e.getMessage().contains(s), "message lacks '" + s + "': " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void missingModelDirectories() {
        Path nowhere = tmp.resolve("no-such-models");
        fails(() -> ClipModel.load(nowhere.resolve("clip"), CPU), "CLIP model directory not found",
                nowhere.resolve("clip").toString());
        fails(() -> DinoModel.load(nowhere.resolve("grounding-dino"), CPU, Fixtures.settings().dino()),
                "Grounding-DINO model directory not found", nowhere.resolve("grounding-dino").toString());
        fails(() -> SamModel.load(nowhere.resolve("sam"), CPU, Fixtures.settings().sam()), "SAM model directory not found",
                nowhere.resolve("sam").toString());
        fails(() -> OnnxGraph.load(nowhere.resolve("model.onnx"), CPU), "model file not found",
                nowhere.resolve("model.onnx").toString());
    }

    @Test
    void clipWithoutTokenizer() throws IOException {
        Path dir = copyOf("clip");
        Files.delete(dir.resolve("tokenizer.json"));
        fails(() -> ClipModel.load(dir, CPU), dir.toString(), "has no tokenizer.json");
    }

    @Test
    void clipWithOnlyTheVisionModel() throws IOException {
        Path dir = copyOf("clip");
        Files.delete(dir.resolve("onnx/text_model.onnx"));
        fails(() -> ClipModel.load(dir, CPU), dir.toString(), "onnx/vision_model.onnx + onnx/text_model.onnx",
                "onnx/model.onnx", "found [onnx/vision_model.onnx]");
    }

    @Test
    void clipWhoseCombinedModelIsSomethingElse() throws IOException {
        Path dir = tmp.resolve("clip");
        Files.createDirectories(dir.resolve("onnx"));
        Files.copy(Fixtures.model("clip").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(Fixtures.model("clip").resolve("preprocessor_config.json"), dir.resolve("preprocessor_config.json"));
        Files.copy(Fixtures.model("sam").resolve("onnx/decoder.onnx"), dir.resolve("onnx/model.onnx"));
        fails(() -> ClipModel.load(dir, CPU), dir.resolve("onnx/model.onnx").toString(), "has no input 'input_ids'",
                "expected input_ids, pixel_values, attention_mask", "found inputs: image_embeddings");
    }

    @Test
    void samWithoutAnEncoder() throws IOException {
        Path dir = copyOf("sam");
        Files.delete(dir.resolve("onnx/encoder.onnx"));
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), "no SAM encoder (*encoder*.onnx)", dir.toString());
    }

    @Test
    void samWithTwoEncoders() throws IOException {
        Path dir = copyOf("sam");
        Files.copy(dir.resolve("onnx/encoder.onnx"), dir.resolve("onnx/sam_vit_h.encoder.onnx"));
        String m = fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), "several SAM encoder files",
                "encoder.onnx", "sam_vit_h.encoder.onnx", "name one in the config");
        // quantised and fp16 variants beside the fp32 file are not a second encoder
        Files.delete(dir.resolve("onnx/sam_vit_h.encoder.onnx"));
        Files.copy(dir.resolve("onnx/encoder.onnx"), dir.resolve("onnx/encoder_quantized.onnx"));
        Files.copy(dir.resolve("onnx/encoder.onnx"), dir.resolve("onnx/encoder_fp16.onnx"));
        try (SamModel sam = SamModel.load(dir, CPU, Fixtures.settings().sam())) {
            assertTrue(sam.describe().contains("input_image"), sam.describe());
        }
        // and naming one in the config resolves the ambiguity
        Files.copy(dir.resolve("onnx/encoder.onnx"), dir.resolve("onnx/other_encoder.onnx"));
        try (SamModel sam = SamModel.load(dir, CPU, new SamSettings("onnx/encoder.onnx", "", 0f, 8))) {
            assertTrue(sam.describe().contains("input_image"), m);
        }
        fails(() -> SamModel.load(dir, CPU, new SamSettings("onnx/nope.onnx", "", 0f, 8)),
                "configured as 'onnx/nope.onnx' does not exist", dir.resolve("onnx/nope.onnx").toString());
    }

    @Test
    void samDecoderThatIsAClipTextModel() throws IOException {
        Path dir = copyOf("sam");
        Path decoder = dir.resolve("onnx/decoder.onnx");
        Files.copy(Fixtures.model("clip").resolve("onnx/text_model.onnx"), decoder, StandardCopyOption.REPLACE_EXISTING);
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), "SAM decoder " + decoder, "matches no known contract",
                "point_coords, point_labels", "input_boxes", "found inputs: input_ids int64[?,?]");
    }

    @Test
    void samEncoderThatIsADecoderGraph() throws IOException {
        Path dir = copyOf("sam-chw");
        Path encoder = dir.resolve("sam_vit_b.encoder.onnx");
        Files.copy(Fixtures.model("clip").resolve("onnx/text_model.onnx"), encoder, StandardCopyOption.REPLACE_EXISTING);
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), encoder.toString(), "image_embeddings");
    }

    @Test
    void hfPointOnlyDecoderIsRefused() {
        Path dir = Fixtures.model("sam-hf-points");
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()),
                dir.resolve("onnx/prompt_encoder_mask_decoder.onnx").toString(), "point-only decoder",
                "cannot take a box prompt", "input_boxes", "Found inputs:", "input_points float[?,?,?,2]",
                "input_labels int64[?,?,?]");
    }

    @Test
    void dinoWhoseModelIsClipVision() throws IOException {
        Path dir = copyOf("grounding-dino-hf");
        Path model = dir.resolve("onnx/model.onnx");
        Files.copy(Fixtures.model("clip").resolve("onnx/vision_model.onnx"), model, StandardCopyOption.REPLACE_EXISTING);
        fails(() -> DinoModel.load(dir, CPU, Fixtures.settings().dino()), "Grounding-DINO graph " + model,
                "has no input 'input_ids'", "expected pixel_values, input_ids, attention_mask",
                "found inputs: pixel_values float[?,?,?,?]; outputs: image_embeds");
    }

    @Test
    void dinoFixed800GraphWithAShortestLongestConfigIsRefused() throws IOException {
        Path dir = copyOf("grounding-dino");
        Path config = dir.resolve("preprocessor_config.json");
        Files.copy(Fixtures.model("grounding-dino-hf").resolve("preprocessor_config.json"), config,
                StandardCopyOption.REPLACE_EXISTING);
        // shortest 800 / longest 1333: 640x480 -> 1067x800 (800*640/480 = 1066.67), the graph takes 800x800
        String m = fails(() -> DinoModel.load(dir, CPU, Fixtures.settings().dino()), dir.resolve("onnx/model.onnx").toString(),
                "pixel_values float[?,3,800,800]", config.toString(), "x800");
        assertTrue(!m.contains(" 800x800"), m);
    }

    @Test
    void dinoWithoutItsModelFile() throws IOException {
        Path dir = copyOf("grounding-dino");
        Files.delete(dir.resolve("onnx/model.onnx"));
        fails(() -> DinoModel.load(dir, CPU, Fixtures.settings().dino()), dir.toString(), "has no onnx/model.onnx");
        Path dir2 = copyOf("grounding-dino-hf");
        Files.delete(dir2.resolve("preprocessor_config.json"));
        fails(() -> DinoModel.load(dir2, CPU, Fixtures.settings().dino()), dir2.toString(), "preprocessor_config.json");
    }

    @Test
    void notAnOnnxFile() throws IOException {
        Path f = tmp.resolve("model.onnx");
        Files.writeString(f, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n");
        fails(() -> OnnxGraph.load(f, CPU), "cannot load ONNX graph " + f);
    }

    @Test
    void gpuOnACpuOnlyMachineIsAnErrorNotACpuFallback() throws Exception {
        Engine.getEngine("OnnxRuntime"); // loads the natives
        // with the CUDA build of ONNX Runtime (-Pgpu) on a GPU machine, device=gpu rightly works: nothing to check
        Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders()
                .contains(OrtProvider.CUDA), "this ONNX Runtime build has the CUDA provider");
        Path f = Fixtures.model("clip").resolve("onnx/text_model.onnx");
        RuntimeOptions gpu = new RuntimeOptions(ExecutionDevice.GPU, 0, OptLevel.ALL_OPT, 0, 0);
        fails(() -> OnnxGraph.load(f, gpu), "cannot load ONNX graph " + f, "device=gpu needs the CUDA build");
        // auto with a GPU assigned by Spark means GPU too, and fails the same way
        RuntimeOptions autoAssigned = new RuntimeOptions(ExecutionDevice.AUTO, 0, OptLevel.ALL_OPT, 0, 0);
        assertEquals(ExecutionDevice.GPU, autoAssigned.resolvedDevice());
        fails(() -> OnnxGraph.load(f, autoAssigned), "device=gpu needs the CUDA build");
        // auto without an assigned GPU is CPU
        RuntimeOptions auto = new RuntimeOptions(ExecutionDevice.AUTO, -1, OptLevel.ALL_OPT, 0, 0);
        assertEquals(ExecutionDevice.CPU, auto.resolvedDevice());
        assertEquals("cpu", auto.cacheKey());
        assertEquals("gpu:0", autoAssigned.cacheKey());
        try (OnnxGraph g = OnnxGraph.load(f, auto)) {
            assertTrue(g.signature().hasInput("input_ids"));
        }
    }

    @Test
    void badRuntimeSettingsNameTheValue() {
        // an unknown opt-level cannot reach OnnxGraph (an enum); LabelerSettingsTest checks the key's message
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutionDevice.parse("tpu"));
        assertTrue(e.getMessage().contains("auto, cpu, gpu") && e.getMessage().contains("'tpu'"), e.getMessage());
        assertEquals(ExecutionDevice.GPU, ExecutionDevice.parse(" GPU "));
    }

    @Test
    void runningWithWrongInputsNamesTheGraphAndTheShapes() {
        Path f = Fixtures.model("clip").resolve("onnx/text_model.onnx");
        try (OnnxGraph g = OnnxGraph.load(f, CPU)) {
            fails(() -> g.run(new Feed().floats("input_ids", new float[] {1, 2}, 1, 2)), "running " + f,
                    "input_ids[1, 2]");
            Fetched ok = g.run(new Feed().longs("input_ids", new long[] {85, 77, 86}, 1, 3));
            fails(() -> ok.get("nope"), "no output 'nope'", "text_embeds");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Feed().floats("x", new float[5], 2, 3));
        assertTrue(e.getMessage().contains("input x: 5 values for shape [2, 3]"), e.getMessage());
    }
}
