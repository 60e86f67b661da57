package io.pseudolabel.job.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench} runs end to end at tiny sizes and emits its rows; no timing is asserted. */
class BenchCommandTest {

    /**
     * The cpu scenario on 2 images proves the command: options parsed, a scenario run, its rows printed and written
     * to bench.json and bench.md. (The train scenario used to run here too: a second standalone cluster and three
     * trainings, about 60 s, proving nothing the cluster and trainer tests do not.)
     */
    @Test
    void cpuRowsAreEmittedWithBudgetsAndWritten(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"bench", "--images", "2", "--repeats", "1", "--only", "cpu", "--output",
            dir.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out + err.toString(StandardCharsets.UTF_8));
        assertTrue(out.contains("machine: "), out);
        assertTrue(out.matches("(?s).*cpu: non-model CPU per image \\(median\\)\\s+\\S+ ms\\s+<= 50\\.0 ms\\s+(PASS|MISS).*"),
                out);
        for (String step : CpuScenario.STEPS) {
            assertTrue(out.contains("cpu:   " + step + " "), step + "\n" + out);
        }
        assertTrue(out.contains("cpu: wall per image "), out);
        for (String family : new String[] {"onnx-community", "samexporter"}) {
            assertTrue(out.matches("(?s).*cpu:   sam2-preprocess \\(" + family + "\\)\\s+\\S+ ms.*"), family + "\n" + out);
            assertTrue(out.matches("(?s).*cpu:   sam2-postprocess \\(" + family + "\\)\\s+\\S+ ms.*"), family + "\n" + out);
        }
        assertFalse(out.contains("train:"), "only the cpu scenario ran\n" + out);

        // bench.json: the options as given and one row per printed row, each measured, with a verdict that
        // matches its value and budget
        JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("bench.json"))).getAsJsonObject();
        assertEquals(2, json.getAsJsonObject("options").get("images").getAsInt());
        assertEquals("cpu", json.getAsJsonObject("options").get("only").getAsString());
        JsonArray rows = json.getAsJsonArray("rows");
        List<String> metrics = new ArrayList<>();
        for (JsonElement e : rows) {
            JsonObject r = e.getAsJsonObject();
            assertEquals("cpu", r.get("scenario").getAsString(), r.toString());
            assertFalse(r.get("value").isJsonNull(), "measured: " + r);
            double value = r.get("value").getAsDouble();
            assertTrue(value >= 0, r.toString());
            String budget = r.get("budget").getAsString();
            String result = r.get("result").getAsString();
            if (budget.isEmpty()) {
                assertEquals("INFO", result, r.toString());
            } else {
                double max = Double.parseDouble(budget.replace("<= ", "").replace(" ms", ""));
                assertEquals(value <= max ? "PASS" : "MISS", result, r.toString());
            }
            metrics.add(r.get("metric").getAsString());
        }
        assertEquals("non-model CPU per image (median)", metrics.get(0));
        for (String step : CpuScenario.STEPS) {
            assertTrue(metrics.contains(step), step + " in " + metrics);
        }
        assertEquals(rows.size(), out.lines().filter(l -> l.startsWith("cpu: ")).count(), out);
        String md = Files.readString(dir.resolve("bench.md"));
        assertTrue(md.startsWith("| scenario | metric | value | budget | result | how |"), md);
        assertEquals(rows.size(), md.lines().filter(l -> l.startsWith("| cpu | ")).count(), md);
    }

    @Test
    void unknownScenarioIsAnError(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"bench", "--only", "cpu,gpu", "--output", dir.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown scenario 'gpu'"));
    }
}
