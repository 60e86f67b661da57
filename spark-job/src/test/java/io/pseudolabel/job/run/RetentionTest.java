package io.pseudolabel.job.run;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** pseudolabel.runs.*: which runs of an output root retention deletes, and that it says so. */
class RetentionTest {
    static final long HOUR = 3_600_000L;
    static final long NOW = 1_800_000_000_000L;

    @TempDir
    Path out;

    /** A run folder with a data file written at {@code time}; with a manifest (complete) written then too. */
    void run(String id, long time, boolean complete) throws Exception {
        Path dir = Files.createDirectories(out.resolve("runs/" + id + "/labels"));
        Path part = Files.writeString(dir.resolve("part-0.parquet"), "x");
        Files.setLastModifiedTime(part, FileTime.fromMillis(time));
        if (complete) {
            Path m = Files.writeString(out.resolve("runs/" + id + "/_MANIFEST.json"), "{}");
            Files.setLastModifiedTime(m, FileTime.fromMillis(time));
        }
        Files.setLastModifiedTime(dir, FileTime.fromMillis(time));
        Files.setLastModifiedTime(dir.getParent(), FileTime.fromMillis(time));
    }

    List<String> runs() throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void keepsTheNewestCompleteRunsLatestAndYoungIncompleteOnesAndPrintsEachDeletion() throws Exception {
        run("n1", NOW - 100 * HOUR, true);
        run("n2", NOW - 80 * HOUR, true);   // _LATEST names it, though newer complete runs exist (unpublished)
        run("n3", NOW - 60 * HOUR, true);
        run("n4", NOW - 40 * HOUR, true);
        run("n5", NOW - 20 * HOUR, true);
        run("dead", NOW - 72 * HOUR, false);  // failed three days ago
        run("busy", NOW - 1 * HOUR, false);   // may still be writing
        Files.writeString(out.resolve("_LATEST"), "n2\n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        List<String> deleted = new Retention(2, 48 * HOUR).apply(out.toString(), new Configuration(), NOW,
                new PrintStream(log, true, StandardCharsets.UTF_8));

        assertEquals(List.of("n3", "n1", "dead"), deleted);
        assertEquals(List.of("busy", "n2", "n4", "n5"), runs());
        assertEquals(List.of(
                "retention: deleted run n3 (complete, beyond the newest 2 (pseudolabel.runs.keep))",
                "retention: deleted run n1 (complete, beyond the newest 2 (pseudolabel.runs.keep))",
                "retention: deleted run dead (incomplete (no _MANIFEST.json), last written 3.0 days ago, more than "
                        + "2.0 days (pseudolabel.runs.incomplete-grace))"),
                log.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void keepZeroKeepsEverythingAndNegativeSettingsAreRefused() throws Exception {
        run("a", NOW - 100 * HOUR, true);
        run("b", NOW - 90 * HOUR, false);
        assertEquals(List.of(), new Retention(0, 0).apply(out.toString(), new Configuration(), NOW,
                System.out));
        assertEquals(List.of("a", "b"), runs());
        assertThrows(IllegalArgumentException.class, () -> new Retention(-1, 0));
    }
}
