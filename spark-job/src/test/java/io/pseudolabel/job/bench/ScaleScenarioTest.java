package io.pseudolabel.job.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --only scale} at a tiny N: the dataset, the previous runs written without a model, the three
 * driver JVMs on a standalone cluster, and every row of the scenario. Counts are checked, no time is.
 */
class ScaleScenarioTest {
    private static final int N = 150;

    @Test
    void scaleRowsAreEmittedWithTheirCounts(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"bench", "--images", String.valueOf(N), "--only", "scale", "--output",
            dir.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out + err.toString(StandardCharsets.UTF_8));
        for (String row : new String[] {
            "scale: planning an incremental night \\(list \\+ annotations \\+ diff with " + N + " rows\\)\\s+\\S+ s\\s+"
                    + "<= 60\\.0 s\\s+(PASS|MISS)",
            "scale: unchanged night end to end\\s+\\S+ s\\s+<= 120\\.0 s\\s+(PASS|MISS)",
            "scale: 1% new night: wall above labelling its images alone\\s+-?\\S+ s\\s+<= 60\\.0 s\\s+(PASS|MISS)",
            "scale: peak live driver heap, unchanged night\\s+\\S+ MB\\s+<= 1024 MB\\s+(PASS|MISS)",
            "scale: peak live driver heap, 1% new night\\s+\\S+ MB\\s+<= 1024 MB\\s+(PASS|MISS)",
            "scale: peak live driver heap, eval, COCO ground truth vs " + N + " predictions\\s+\\S+ MB\\s+<= 1024 MB"
                    + "\\s+(PASS|MISS)"}) {
            assertTrue(out.matches("(?s).*" + row + "\n.*"), row + "\n" + out);
        }
        Path work = dir.resolve("work");
        // the dataset: N images, the JSON's counts as its marker records them
        try (var files = Files.list(work.resolve("scale-coco-" + N).resolve("train2017"))) {
            assertEquals(N, files.count());
        }
        // unchanged: every image carried from the previous run, no model ran, nothing published
        JsonObject unchanged = json(work, "unchanged").getAsJsonObject("night");
        assertEquals("unchanged", unchanged.get("outcome").getAsString());
        assertEquals(N, unchanged.get("total").getAsLong());
        assertEquals(N, unchanged.get("carried").getAsLong());
        assertEquals(0, unchanged.get("labelled").getAsLong());
        assertTrue(unchanged.get("live_max").getAsLong() > 0 && unchanged.get("samples").getAsInt() > 0, unchanged.toString());
        // 1% new (at least one image): those labelled, the rest carried, all OK; then the same images alone
        int fresh = ScaleDataset.newImages(N);
        JsonObject night = json(work, "new").getAsJsonObject("night");
        assertEquals("published", night.get("outcome").getAsString());
        assertEquals(fresh, night.get("labelled").getAsLong());
        assertEquals(N - fresh, night.get("carried").getAsLong());
        assertEquals(N, night.get("ok").getAsLong());
        JsonObject alone = json(work, "new").getAsJsonObject("alone");
        assertEquals(fresh, alone.get("labelled").getAsLong());
        assertEquals(fresh, alone.get("ok").getAsLong());
        // eval: every image of the ground truth scored against the previous run's N rows
        JsonObject eval = json(work, "eval").getAsJsonObject("eval");
        assertEquals(N, eval.get("images").getAsLong());
        double miou = eval.get("miou").getAsDouble();
        assertTrue(miou > 0 && miou <= 1, eval.toString());
    }

    private static JsonObject json(Path work, String mode) throws Exception {
        return JsonParser.parseString(Files.readString(work.resolve("scale-" + mode + ".json"))).getAsJsonObject();
    }
}
