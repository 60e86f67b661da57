package io.pseudolabel.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pseudolabel.job.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench} runs end to end at tiny sizes and emits its rows; no timing is asserted. */
class BenchCommandTest {

    @Test
    void cpuAndTrainRowsAreEmittedWithBudgetsAndWritten(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"bench", "--images", "2", "--repeats", "1", "--only", "cpu,train", "--output",
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
        assertTrue(out.contains("before the optimisations (same run)"), out);
        for (String family : new String[] {"onnx-community", "samexporter"}) {
            assertTrue(out.matches("(?s).*cpu:   sam2-preprocess \\(" + family + "\\)\\s+\\S+ ms.*"), family + "\n" + out);
            assertTrue(out.matches("(?s).*cpu:   sam2-postprocess \\(" + family + "\\)\\s+\\S+ ms.*"), family + "\n" + out);
        }
        // a real standalone master and two workers, trained once with W=1 and once with W=2
        assertTrue(out.matches("(?s).*train: samples/s, 2 workers / 1 worker [^\n]*>= 1\\.60 x\\s+(PASS|MISS)\n.*"), out);
        assertTrue(out.contains("train:   samples/s, W=1") && out.contains("train:   samples/s, W=2"), out);

        String json = Files.readString(dir.resolve("bench.json"));
        assertTrue(json.contains("\"scenario\": \"cpu\"") && json.contains("\"scenario\": \"train\""), json);
        String md = Files.readString(dir.resolve("bench.md"));
        assertTrue(md.startsWith("| scenario | metric | value | budget | result | how |"), md);
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
