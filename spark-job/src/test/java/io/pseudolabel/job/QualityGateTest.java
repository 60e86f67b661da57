package io.pseudolabel.job;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.RunNotPublishedException;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Night-to-night statistics in the manifest and the quality gate (exit 5). */
class QualityGateTest {
    @TempDir
    static Path tmp;
    static Path voc;

    @BeforeAll
    static void scenes() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 9L).withFaintObjects(0.3)).write(voc, 8, 0);
    }

    static LabelJob.Summary label(Path output, String runId, Map<String, String> more, ByteArrayOutputStream log)
            throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("pseudolabel.job.layout", "voc",
                "pseudolabel.job.split", "train", "pseudolabel.job.classes", voc.resolve("classes.txt").toString()));
        settings.putAll(more);
        return LabelJob.run(TestSpark.session(), TestSpark.config(settings),
                new LabelJob.Options(voc.toString(), output.toString(), runId, false),
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static JsonObject stats(Path output, String runId) throws Exception {
        return JsonParser.parseString(Files.readString(output.resolve("runs").resolve(runId).resolve("_MANIFEST.json")))
                .getAsJsonObject().getAsJsonObject("stats");
    }

    @Test
    void manifestCountsChangesAndTheGateStopsAWorseNight() throws Exception {
        Path out = tmp.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        label(out, "n1", Map.of(), log);
        JsonObject first = stats(out, "n1");
        assertEquals(8, first.get("added").getAsLong());
        assertEquals(0, first.get("relabelled").getAsLong());
        assertTrue(first.get("previousMeanQuality").isJsonNull());
        double q1 = first.get("meanQuality").getAsDouble();
        long instances = first.getAsJsonObject("instancesByClass").entrySet().stream()
                .mapToLong(e -> e.getValue().getAsLong()).sum();
        assertTrue(instances >= 8, "instances by class " + first);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("label n1: mean quality "), "one-line summary");

        // the same night again, labelled anew: every image relabelled, nothing added or removed, same quality
        label(out, "n2", Map.of(), new ByteArrayOutputStream());
        JsonObject second = stats(out, "n2");
        assertEquals(8, second.get("relabelled").getAsLong());
        assertEquals(0, second.get("added").getAsLong());
        assertEquals(0, second.get("removed").getAsLong());
        assertEquals(q1, second.get("previousMeanQuality").getAsDouble(), 1e-9);
        assertEquals(q1, second.get("meanQuality").getAsDouble(), 1e-6);
        assertEquals("n2", Files.readString(out.resolve("_LATEST")).strip());

        // a CLIP ten times less sure of its classes: lower class probabilities, lower quality; the gate holds it
        RunNotPublishedException e = assertThrows(RunNotPublishedException.class, () -> label(out, "n3",
                Map.of("pseudolabel.clip.logit-scale", "10", "pseudolabel.job.max-quality-drop", "0.01"),
                new ByteArrayOutputStream()));
        assertEquals(RunNotPublishedException.QUALITY_GATE, e.exitCode());
        assertTrue(e.getMessage().contains("pseudolabel.job.max-quality-drop"), e.getMessage());
        assertEquals("n2", Files.readString(out.resolve("_LATEST")).strip(), "not published");
        JsonObject third = stats(out, "n3");
        assertTrue(third.get("meanQuality").getAsDouble() < q1 - 0.01, third.toString());
    }
}
