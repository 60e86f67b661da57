package io.pseudolabel.job;

import org.junit.jupiter.api.Test;

import static io.pseudolabel.job.MainTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-command help, the version line, and arguments that are refused by name (exit 2), through Main.run. */
class CliTest {

    @Test
    void eachCommandHasItsOwnHelp() {
        for (String command : Main.COMMANDS) {
            MainTest.Run r = MainTest.run(command, "--help");
            assertEquals(0, r.code(), command + ": " + r.err());
            assertTrue(r.out().startsWith("usage: pseudolabel " + command), r.out());
            assertContains(r.out(), "--config FILE", "--conf key=value");
        }
        MainTest.Run label = MainTest.run("label", "--help");
        assertContains(label.out(), "--images URI --models URI --output URI", "--incremental");
        assertFalse(label.out().contains("--backbone-weights"), label.out());
        MainTest.Run train = MainTest.run("train", "--help");
        assertContains(train.out(), "--backbone-weights");
        assertFalse(train.out().contains("--incremental"), train.out());
        MainTest.Run export = MainTest.run("help", "export");
        assertEquals(0, export.code());
        assertContains(export.out(), "ImageSets/Segmentation/<split>.txt", "--annotations COCO_JSON");
        MainTest.Run all = MainTest.run("--help");
        assertEquals(0, all.code());
        for (String command : Main.COMMANDS) {
            assertContains(all.out(), "  " + command);
        }
    }

    @Test
    void versionNamesThisBuildAndTheEnginesOnTheClasspath() {
        MainTest.Run r = MainTest.run("--version");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        // the build's own commit, embedded by the git-commit-id plugin
        assertTrue(lines[0].matches("pseudolabel \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{7,}.*\\)"), lines[0]);
        assertTrue(lines[1].matches("Spark 4\\.1\\.\\d+, DJL 0\\.36\\.\\d+, ONNX Runtime 1\\.\\d+\\.\\d+, libtorch 2\\.7\\.1 .*"),
                lines[1]);
    }

    @Test
    void strayArgumentsAndUnknownOptionsAreRefusedByName() {
        MainTest.Run stray = MainTest.run("eval", "--pred", "/nowhere", "--gt", "/nowhere", "extra", "more");
        assertEquals(2, stray.code(), stray.err());
        assertContains(stray.err(), "unexpected arguments for eval: 'extra', 'more'");
        MainTest.Run exportStray = MainTest.run("export", "voc", "coco", "--labels", "/nowhere", "--output", "/x");
        assertEquals(2, exportStray.code(), exportStray.err());
        assertContains(exportStray.err(), "unexpected argument for export: 'coco'");
        MainTest.Run unknown = MainTest.run("label", "--imges", "/data");
        assertEquals(2, unknown.code(), unknown.err());
        assertContains(unknown.err(), "unknown option --imges for label");
        MainTest.Run command = MainTest.run("lable", "--help");
        assertEquals(2, command.code(), command.err());
        assertContains(command.err(), "unknown command 'lable'");
        MainTest.Run misplaced = MainTest.run("export", "coco", "--split", "val", "--labels", "/nowhere", "--output",
                "/x.json");
        assertEquals(2, misplaced.code(), misplaced.err());
    }
}
