package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed fixture models are what the generator makes from today's inputs: {@code make_fixtures.py} writes
 * {@code models/MANIFEST.sha256} (every file under {@code models/} and {@code models-slow/}, plus {@code world.json}
 * and the generator itself), and this test recomputes it. A changed world, generator or model file without a
 * regeneration fails here, naming the file; so does a fixture file the manifest does not know.
 */
class FixtureManifestTest {
    static final String REGENERATE = "regenerate from the repository root: /usr/bin/python3 "
            + "model-udfs/fixtures/make_fixtures.py (and --slow model-udfs/fixtures/models-slow --matmul-ms 2.5 for "
            + "models-slow/), or --manifest-only after a deliberate change that needs no rebuild";

    static Path repo() {
        return Fixtures.models().getParent().getParent().getParent();
    }

    static Map<String, String> manifest() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Fixtures.models().resolve("MANIFEST.sha256"), StandardCharsets.UTF_8)) {
            int sep = line.indexOf("  ");
            assertTrue(sep == 64, "sha256sum line: " + line);
            out.put(line.substring(sep + 2), line.substring(0, sep));
        }
        return out;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void everyFixtureFileAndInputMatchesTheManifest() throws Exception {
        Map<String, String> listed = manifest();
        assertTrue(listed.containsKey("model-udfs/src/main/resources/io/pseudolabel/scenes/world.json"), "world.json");
        assertTrue(listed.containsKey("model-udfs/fixtures/make_fixtures.py"), "the generator");
        List<String> drifted = new ArrayList<>();
        for (Map.Entry<String, String> e : listed.entrySet()) {
            Path f = repo().resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                drifted.add(e.getKey() + " (missing)");
            } else if (!sha256(f).equals(e.getValue())) {
                drifted.add(e.getKey() + " (changed since the fixtures were generated)");
            }
        }
        TreeSet<String> onDisk = new TreeSet<>();
        for (String dir : List.of("models", "models-slow")) {
            try (Stream<Path> files = Files.walk(Fixtures.models().resolveSibling(dir))) {
                files.filter(Files::isRegularFile).map(p -> repo().relativize(p).toString().replace('\\', '/'))
                        .filter(p -> !p.endsWith("/MANIFEST.sha256")).forEach(onDisk::add);
            }
        }
        for (String f : onDisk) {
            if (!listed.containsKey(f)) {
                drifted.add(f + " (not in the manifest)");
            }
        }
        if (!drifted.isEmpty()) {
            fail("fixture files drifted from model-udfs/fixtures/models/MANIFEST.sha256: " + drifted + "; "
                    + REGENERATE);
        }
        assertTrue(onDisk.size() >= 40, "fixture files found: " + onDisk.size());
    }

    /**
     * {@code models-slow/} (the bench's overlap scenario) holds the same models with a costly no-op chain in each
     * image graph: loaded through the product path, they label scenes exactly as the fast fixtures do.
     */
    @Test
    void slowFixtureModelsLoadAndLabelAsTheFastOnes() {
        Path slow = Fixtures.models().resolveSibling("models-slow");
        LabelerSettings fast = Fixtures.settings();
        LabelerSettings slowSettings = Fixtures.settings(Map.of("models.dir", slow.toString()));
        assertEquals(slow.resolve("sam"), slowSettings.samPath());
        List<String> classes = PseudoLabelerEndToEndTest.WORLD.classNames();
        List<byte[]> a = semantic(fast, classes);
        List<byte[]> b = semantic(slowSettings, classes);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "scene " + i);
        }
    }

    private static List<byte[]> semantic(LabelerSettings s, List<String> classes) {
        List<byte[]> out = new ArrayList<>();
        try (ModelSet models = ModelSet.load(s, s.runtime())) {
            PseudoLabeler labeler = new PseudoLabeler(models, s, classes, Fixtures.text(s, classes),
                    Selection.WHOLE_OVER_PART);
            SceneGenerator gen = new SceneGenerator(PseudoLabelerEndToEndTest.WORLD, 11L);
            for (int i = 0; i < 1; i++) { // one scene: each slow graph run costs ~0.1 s
                Scene scene = gen.scene(i);
                byte[] jpeg = VocSceneWriter.jpeg(scene.image(), VocSceneWriter.JPEG_QUALITY);
                LabelResult r = labeler.label(new ImageInput(scene.id(), scene.id() + ".jpg", jpeg,
                        scene.objects().stream().map(SceneObject::name).distinct().toList(),
                        scene.objects().stream().map(o -> new GivenBox(o.name(), o.box())).toList()));
                assertEquals(LabelStatus.OK, r.status(), r.error());
                assertTrue(r.instances().size() > 0, "scene " + i + " has objects");
                out.add(r.semantic().ids());
            }
        }
        return out;
    }
}
