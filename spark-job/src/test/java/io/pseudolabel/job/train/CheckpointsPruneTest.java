package io.pseudolabel.job.train;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** train keeps the newest keep-checkpoints rounds (and the one _LATEST names) and prints what it deletes. */
class CheckpointsPruneTest {
    @TempDir
    Path out;

    @Test
    void keepsTheNewestRoundsByNumberAndTheLatestOne() throws Exception {
        for (int r : new int[] {1, 2, 9, 10, 11, 100}) {
            Files.createDirectories(out.resolve(String.format("checkpoints/round-%05d", r)));
            Files.writeString(out.resolve(String.format("checkpoints/round-%05d/weights.bin", r)), "w");
        }
        Files.writeString(out.resolve("checkpoints/_LATEST"), "round-00002\n"); // e.g. a resume point
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<String> deleted = Checkpoints.prune(out.toString(), 3, new Configuration(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(List.of("round-00009", "round-00001"), deleted);
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            assertEquals(List.of("_LATEST", "round-00002", "round-00010", "round-00011", "round-00100"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("train: deleted checkpoint round-00009 (keeping the newest 3, pseudolabel.train.keep-checkpoints)",
                log.toString(StandardCharsets.UTF_8).lines().findFirst().orElse(""));
    }
}
