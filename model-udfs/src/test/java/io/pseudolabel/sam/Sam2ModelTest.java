package io.pseudolabel.sam;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.labeler.SceneImages;
import io.pseudolabel.masks.Candidate;
import io.pseudolabel.onnx.Feed;
import io.pseudolabel.onnx.ModelContractException;
import io.pseudolabel.onnx.OnnxGraph;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SAM 2.1 in both export families through DJL and ONNX Runtime: detection, features, batching, object scores. */
class Sam2ModelTest {
    static final RuntimeOptions CPU = Fixtures.cpu();

    @TempDir
    Path tmp;

    static SamSettings batch(int images) {
        SamSettings d = Fixtures.settings().sam();
        return new SamSettings(d.encoderFile(), d.decoderFile(), d.maskThreshold(), images);
    }

    static String fails(Executable load, String... mustContain) {
        ModelContractException e = assertThrows(ModelContractException.class, load);
        for (String s : mustContain) {
            assertTrue(e.getMessage().contains(s), "message lacks '" + s + "': " + e.getMessage());
        }
        return e.getMessage();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sam2-samexporter, SAM2_SAMEXPORTER, 'SAM 2.1, samexporter export', 1",
        "sam2-hf, SAM2_HF, 'SAM 2.1, onnx-community (transformers.js) export', 4"})
    void theFamilyIsReadFromTheGraphsAndNamedInDescribe(String dir, SamFormat format, String family, int batch) {
        try (SamModel sam = SamModel.load(Fixtures.model(dir), CPU, Fixtures.settings().sam())) {
            assertEquals(format, sam.format());
            assertEquals(family, format.family());
            assertTrue(sam.describe().startsWith(family), sam.describe());
            // the static samexporter encoder takes one image per call, the onnx-community one the configured batch
            assertEquals(batch, sam.encoderBatch());
            assertTrue(sam.describe().contains("stretch to 1024x1024") && sam.describe().contains("x*1024/W, y*1024/H"),
                    sam.describe());
        }
    }

    @Test
    void samexporterEncoderIsStaticAtOneImage() {
        // what makes one image per call necessary: the graph refuses a batch of two
        try (OnnxGraph g = OnnxGraph.load(Fixtures.model("sam2-samexporter").resolve("sam2.1_hiera_tiny.encoder.onnx"),
                CPU)) {
            assertEquals("image float[1,3,1024,1024]", g.signature().input("image").toString());
            float[] two = new float[2 * 3 * 1024 * 1024];
            fails(() -> g.run(new Feed().floats("image", two, 2, 3, 1024, 1024)), "image[2, 3, 1024, 1024]");
        }
    }

    /** The SAM 2.1 features of {@code count} scenes' images, embedded one at a time or in batches of {@code batch}. */
    static List<SamEmbedding> embed(String dir, int batch, List<RgbImage> images) {
        try (SamModel sam = SamModel.load(Fixtures.model(dir), CPU, batch(batch))) {
            List<float[]> inputs = new ArrayList<>();
            int[][] sizes = new int[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                inputs.add(sam.preprocess(images.get(i)));
                sizes[i] = new int[] {images.get(i).width(), images.get(i).height()};
            }
            return sam.embedAll(inputs, sizes);
        }
    }

    @Test
    void batchedEncoderCallsGiveEachImageItsOwnFeatures() {
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            images.add(SceneImages.decoded(SceneImages.scene(i)));
        }
        // batches of 2: calls of [2, 1] images; each image's three maps must be its own, in order
        List<SamEmbedding> batched = embed("sam2-hf", 2, images);
        List<SamEmbedding> single = embed("sam2-hf", 1, images);
        List<SamEmbedding> samexporter = embed("sam2-samexporter", 8, images);
        assertEquals(3, batched.size());
        for (int i = 0; i < 3; i++) {
            SamEmbedding b = batched.get(i);
            assertEquals(images.get(i).width(), b.width());
            assertEquals(images.get(i).height(), b.height());
            assertEquals(256 * 64 * 64, b.embeddings().length);
            assertEquals(32 * 256 * 256, b.highRes0().length);
            assertEquals(64 * 128 * 128, b.highRes1().length);
            assertNull(b.positional());
            assertArrayEquals(single.get(i).embeddings(), b.embeddings());
            assertArrayEquals(single.get(i).highRes0(), b.highRes0());
            assertArrayEquals(single.get(i).highRes1(), b.highRes1());
            // the samexporter fixture computes the same features from its (cv2.resize) input: mostly equal
            double same = fractionEqual(samexporter.get(i).embeddings(), b.embeddings());
            assertTrue(same > 0.99, "samexporter vs onnx-community class maps agree on " + same);
        }
        // different scenes, different features: a batch mix-up could not pass the equalities above unnoticed
        assertTrue(fractionEqual(batched.get(0).embeddings(), batched.get(1).embeddings()) < 0.999);
    }

    static double fractionEqual(float[] a, float[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return (double) same / a.length;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sam2-samexporter, 1, false", "sam2-hf, 2, true"})
    void everyObjectGetsItsWholeMaskAmongThreeCandidates(String dir, int whole, boolean objectScores) {
        Scene scene = SceneImages.distinctClassScenes(6).stream().filter(s -> s.objects().size() >= 2
                && s.image().width() != s.image().height()).findFirst().orElseThrow();
        RgbImage image = SceneImages.decoded(scene);
        try (SamModel sam = SamModel.load(Fixtures.model(dir), CPU, Fixtures.settings().sam())) {
            SamEmbedding e = sam.embed(image);
            List<Box> boxes = new ArrayList<>(scene.objects().stream().map(SceneObject::box).toList());
            boxes.add(new Box(1, 1, 6, 5)); // a box on the background
            List<List<Candidate>> out = sam.segment(e, boxes);
            assertEquals(boxes.size(), out.size());
            for (int i = 0; i < scene.objects().size(); i++) {
                List<Candidate> c = out.get(i);
                assertEquals(3, c.size(), dir);
                for (int k = 0; k < 3; k++) {
                    assertEquals(k, c.get(k).index());
                    assertEquals(image.width(), c.get(k).mask().width());
                    assertEquals(image.height(), c.get(k).mask().height());
                }
                // the fixture ranks a part highest on purpose
                assertEquals(0.95f, c.stream().map(Candidate::predictedIou).max(Float::compare).orElseThrow(), 1e-6f);
                assertTrue(c.get(whole).predictedIou() < 0.95f);
                double wholeIou = SamModelTest.iou(c.get(whole).mask(), scene.objects().get(i).visible());
                assertTrue(wholeIou >= 0.9, dir + " " + scene.id() + " object " + i + ": whole mask IoU " + wholeIou);
                if (objectScores) {
                    // one object score per box, on every candidate: > 0 = an object is there
                    Float score = c.get(0).objectScoreLogit();
                    assertNotNull(score);
                    assertTrue(score > 0, "object score " + score);
                    c.forEach(k -> assertEquals(score, k.objectScoreLogit()));
                } else {
                    c.forEach(k -> assertNull(k.objectScoreLogit()));
                }
            }
            List<Candidate> background = out.get(boxes.size() - 1);
            if (objectScores) {
                assertEquals(-2f, background.get(0).objectScoreLogit(), 1e-6f); // the fixture: 16 * 0 - 2
            }
            assertEquals(List.of(), sam.segment(e, List.of()));
        }
    }

    @Test
    void onnxCommunityWeightsAreReadFromTheOnnxDataBesideTheGraph() throws IOException {
        Path dir = tmp.resolve("elsewhere/sam2");
        Fixtures.copyTree(Fixtures.model("sam2-hf"), dir);
        try (SamModel sam = SamModel.load(dir, CPU, Fixtures.settings().sam())) {
            assertEquals(SamFormat.SAM2_HF, sam.format());
        }
        Files.delete(dir.resolve("onnx/vision_encoder.onnx_data"));
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), dir.resolve("onnx/vision_encoder.onnx").toString(),
                "cannot load ONNX graph");
    }

    @Test
    void encoderAndDecoderOfDifferentFamiliesAreRefused() throws IOException {
        // onnx-community encoder + samexporter decoder
        Path dir = tmp.resolve("mixed");
        Files.createDirectories(dir);
        Files.copy(Fixtures.model("sam2-hf").resolve("onnx/vision_encoder.onnx"), dir.resolve("vision_encoder.onnx"));
        Files.copy(Fixtures.model("sam2-hf").resolve("onnx/vision_encoder.onnx_data"),
                dir.resolve("vision_encoder.onnx_data"));
        Files.copy(Fixtures.model("sam2-samexporter").resolve("sam2.1_hiera_tiny.decoder.onnx"),
                dir.resolve("sam2.1_hiera_tiny.decoder.onnx"));
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), dir.resolve("vision_encoder.onnx").toString(),
                "does not match its decoder (SAM 2.1, samexporter export)",
                "expected input image and outputs high_res_feats_0, high_res_feats_1, image_embed",
                "found inputs: pixel_values float[?,3,1024,1024]", "image_embeddings.0");
        // a SAM 1 encoder with a SAM 2.1 decoder
        Path sam1 = tmp.resolve("sam1-encoder");
        Files.createDirectories(sam1);
        Files.copy(Fixtures.model("sam-chw").resolve("sam_vit_b.encoder.onnx"), sam1.resolve("sam_vit_b.encoder.onnx"));
        Files.copy(Fixtures.model("sam2-samexporter").resolve("sam2.1_hiera_tiny.decoder.onnx"),
                sam1.resolve("sam2.1_hiera_tiny.decoder.onnx"));
        fails(() -> SamModel.load(sam1, CPU, Fixtures.settings().sam()), "sam_vit_b.encoder.onnx",
                "does not match its decoder", "image_embeddings float[1,256,64,64]");
    }

    @Test
    void aDecoderMatchingNoContractNamesEveryFamilyExpected() throws IOException {
        Path dir = tmp.resolve("nothing");
        Fixtures.copyTree(Fixtures.model("sam2-samexporter"), dir);
        Path decoder = dir.resolve("sam2.1_hiera_tiny.decoder.onnx");
        Files.copy(Fixtures.model("clip").resolve("onnx/text_model.onnx"), decoder, StandardCopyOption.REPLACE_EXISTING);
        fails(() -> SamModel.load(dir, CPU, Fixtures.settings().sam()), "SAM decoder " + decoder,
                "matches no known contract", "(SAM 1 official)", "(SAM 1 HF boxes)",
                "image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels, mask_input, has_mask_input "
                        + "(SAM 2.1 samexporter)",
                "input_points, input_labels, input_boxes, image_embeddings.0, image_embeddings.1, image_embeddings.2 "
                        + "(SAM 2.1 onnx-community)",
                "found inputs: input_ids int64[?,?]");
    }

    @Test
    void anAspectKeepingProcessorConfigIsRefused() throws IOException {
        Path dir = tmp.resolve("old-processor");
        Fixtures.copyTree(Fixtures.model("sam2-hf"), dir);
        Path config = dir.resolve("preprocessor_config.json");
        Files.writeString(config, "{\"size\": {\"longest_edge\": 1024}, \"do_pad\": true}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamModel.load(dir, CPU, Fixtures.settings().sam()));
        assertTrue(e.getMessage().contains(config.toString())
                && e.getMessage().contains("{\"height\": 1024, \"width\": 1024}")
                && e.getMessage().contains("longest_edge"), e.getMessage());
    }
}
