package io.pseudolabel.job;

import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** N + 2 nightly runs with pseudolabel.runs.keep = N leave N runs, the newest, and say what they deleted. */
class NightlyRetentionTest {
    @TempDir
    Path tmp;

    @Test
    void fourNightsWithKeepTwoLeaveTheNewestTwo() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), 21L);
        Files.write(tmp.resolve("classes.txt"), FixtureWorld.load().classNames());
        Path out = tmp.resolve("out");
        int keep = 2;
        StringBuilder printed = new StringBuilder();
        for (int night = 1; night <= keep + 2; night++) {
            // one new image a night: the others are carried over from the night before
            Files.write(images.resolve("s" + night + ".jpg"), VocSceneWriter.jpeg(scenes.scene(night).image(), 0.9f));
            MainTest.Run r = MainTest.run("label", "--images", images.toString(), "--layout", "folder", "--models",
                    TestSpark.fixtureModels().toString(), "--classes", tmp.resolve("classes.txt").toString(),
                    "--output", out.toString(), "--run-id", "night" + night, "--incremental", "--master", "local[2]",
                    "--conf", "pseudolabel.runs.keep=" + keep);
            assertEquals(0, r.code(), r.err());
            printed.append(r.out());
        }
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            assertEquals(List.of("night3", "night4"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("night4", Files.readString(out.resolve("_LATEST")).strip());
        assertEquals(List.of(
                "retention: deleted run night1 (complete, beyond the newest 2 (pseudolabel.runs.keep))",
                "retention: deleted run night2 (complete, beyond the newest 2 (pseudolabel.runs.keep))"),
                printed.toString().lines().filter(l -> l.startsWith("retention:")).toList());
    }
}
