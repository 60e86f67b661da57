package io.pseudolabel.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's exit codes and messages: 0 done, 1 failed (the message says why), 2 bad command line. */
class MainTest {

    static Path fixtures() {
        Path p = Path.of("..", "model-udfs", "fixtures", "models");
        if (!p.toFile().isDirectory()) {
            p = Path.of("model-udfs", "fixtures", "models");
        }
        return p.toAbsolutePath().normalize();
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "missing '" + p + "' in:\n" + text);
        }
    }

    @Test
    void validateModelsPrintsTheThreeFormatsWithTheirInputs() {
        Path models = fixtures();
        Run r = run("validate-models", "--models", models.toString());
        assertEquals(0, r.code(), r.err());
        assertContains(r.out(),
                "clip:", models.resolve("clip").toString(), "CLIP split", "pixel_values", "input_ids", "image_embeds",
                "text_embeds",
                "grounding-dino:", models.resolve("grounding-dino").toString(), "Grounding-DINO",
                "pixel_values float[?,3,800,800]", "attention_mask", "pred_boxes",
                "sam:", models.resolve("sam").toString(), "family: SAM 1, official segment-anything decoder",
                "input_image", "point_coords", "orig_im_size",
                "all three model directories match a known contract");
        assertEquals("", r.err());
    }

    @ParameterizedTest
    @CsvSource({"sam2-hf, 'SAM 2.1, onnx-community (transformers.js) export', image_embeddings.0",
        "sam2-samexporter, 'SAM 2.1, samexporter export', high_res_feats_0"})
    void validateModelsNamesTheSam21Family(String dir, String family, String feature) {
        Run r = run("validate-models", "--models", fixtures().toString(), "--conf",
                "pseudolabel.models.sam=" + fixtures().resolve(dir));
        assertEquals(0, r.code(), r.err());
        assertContains(r.out(), "sam:", fixtures().resolve(dir).toString(), "family: " + family,
                "stretch to 1024x1024", feature, "all three model directories match a known contract");
    }

    @Test
    void validateModelsOnASamDirectoryMatchingNoContractNamesWhatItExpectedAndFound(@TempDir Path tmp)
            throws Exception {
        Path sam = Files.createDirectories(tmp.resolve("sam"));
        Files.copy(fixtures().resolve("sam2-samexporter/sam2.1_hiera_tiny.encoder.onnx"),
                sam.resolve("sam2.1_hiera_tiny.encoder.onnx"));
        Files.copy(fixtures().resolve("clip/onnx/text_model.onnx"), sam.resolve("sam2.1_hiera_tiny.decoder.onnx"));
        Run r = run("validate-models", "--models", fixtures().toString(), "--conf", "pseudolabel.models.sam=" + sam);
        assertEquals(1, r.code(), r.out());
        assertContains(r.err(), sam.resolve("sam2.1_hiera_tiny.decoder.onnx").toString(), "matches no known contract",
                "(SAM 1 official)", "(SAM 2.1 samexporter)", "(SAM 2.1 onnx-community)", "found inputs: input_ids");
    }

    @Test
    void demoSam2TakesAFamilyAndRefusesOwnModels(@TempDir Path tmp) {
        Run bad = run("demo", "--output", tmp.resolve("d").toString(), "--sam2=hiera");
        assertEquals(2, bad.code(), bad.out());
        assertContains(bad.err(), "--sam2 takes onnx-community (the default) or samexporter; got 'hiera'");
        Run own = run("demo", "--output", tmp.resolve("d").toString(), "--sam2", "--models", fixtures().toString());
        assertEquals(2, own.code(), own.out());
        assertContains(own.err(), "demo --sam2 labels with a SAM 2.1 fixture model", "DIR/sam");
        // nothing was written before the options were checked
        assertEquals(false, Files.exists(tmp.resolve("d")));
    }

    @Test
    void validateModelsOnAWrongDirectoryFailsNamingThePath(@TempDir Path tmp) {
        Path nowhere = tmp.resolve("no-models-here");
        Run r = run("validate-models", "--models", nowhere.toString());
        assertEquals(1, r.code(), r.out());
        assertContains(r.err(), "error:", nowhere.resolve("clip").toString(), "not found");
        // a directory of the wrong kind: the fixtures' sam-hf-points decoder cannot take boxes
        Run wrongKind = run("validate-models", "--models", fixtures().toString(), "--conf",
                "pseudolabel.models.sam=" + fixtures().resolve("sam-hf-points"));
        assertEquals(1, wrongKind.code(), wrongKind.out());
        assertContains(wrongKind.err(), fixtures().resolve("sam-hf-points").toString(), "point-only");
    }

    @Test
    void badConfigurationFailsNamingTheKey() {
        Run unknown = run("validate-models", "--models", fixtures().toString(), "--conf", "pseudolabel.clip.top_n=3");
        assertEquals(1, unknown.code());
        assertContains(unknown.err(), "unknown configuration key pseudolabel.clip.top_n");
        Run device = run("validate-models", "--models", fixtures().toString(), "--conf",
                "pseudolabel.models.device=tpu");
        assertEquals(1, device.code());
        assertContains(device.err(), "pseudolabel.models.device", "tpu");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Run r = run("validate-models", "--models", fixtures().toString(), "--modles", "x");
        assertEquals(2, r.code());
        assertContains(r.err(), "unknown option --modles", "--models", "usage: pseudolabel");
        Run missing = run("validate-models");
        assertEquals(2, missing.code());
        assertContains(missing.err(), "validate-models needs --models");
        Run noValue = run("validate-models", "--models");
        assertEquals(2, noValue.code());
        assertContains(noValue.err(), "--models needs a value");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run r = run("frobnicate");
        assertEquals(2, r.code());
        assertContains(r.err(), "unknown command 'frobnicate'", "usage: pseudolabel");
        Run none = run();
        assertEquals(2, none.code());
        assertContains(none.err(), "no command given");
        Run help = run("--help");
        assertEquals(0, help.code());
        assertContains(help.out(), "usage: pseudolabel", "validate-models");
    }
}
