package io.pseudolabel.job;

import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A command ends its Spark session itself ({@code spark.stop()}) before the JVM exits, so the event log is
 * complete, the UI and executors are released, and a cluster sees the application finish rather than its driver
 * vanish. Spark's own shutdown hook would also stop the context at exit, so the test tells the two apart: the
 * listener below notes whether the JVM was already shutting down when the application ended.
 */
class SparkStopTest {
    @TempDir
    Path tmp;

    @Test
    void aCommandStopsItsSparkSessionBeforeTheJvmExits() throws Exception {
        Path voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 5L)).write(voc, 0, 2);
        Path events = Files.createDirectories(tmp.resolve("events"));
        Path marker = tmp.resolve("application-end.txt");
        List<String> cmd = ChildJvm.command("-Xmx1g", "-Djava.awt.headless=true", "-Dspark.eventLog.enabled=true",
                "-Dspark.eventLog.compress=false", "-Dspark.eventLog.dir=" + events.toUri(),
                "-Dspark.extraListeners=" + EndProbe.class.getName(), "-D" + EndProbe.MARKER + "=" + marker);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "eval",
                "--master", "local[1]", "--pred", voc.resolve("SegmentationClass").toString(), "--gt", voc.toString(),
                "--split", "val", "--classes", voc.resolve("classes.txt").toString()));
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "child JVM did not end");
        String log = Files.readString(out);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("mIoU             1.0000"), log); // the truth scored against itself

        assertEquals("stopped by the command", Files.readString(marker).strip(), log);
        // the event log is complete (Spark 4 rolls it: a directory whose appstatus file loses its .inprogress
        // suffix when the application ends) and ends with the application's end
        List<Path> files;
        try (Stream<Path> s = Files.walk(events)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.stream().noneMatch(f -> f.getFileName().toString().endsWith(".inprogress")), files.toString());
        String all = String.join("", files.stream().map(SparkStopTest::read).toList());
        assertTrue(all.contains("\"Event\":\"SparkListenerApplicationEnd\""), files.toString());
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Registered through {@code spark.extraListeners} in the child JVM: at the application's end, writes whether
     * the JVM was already shutting down (adding a shutdown hook then throws {@link IllegalStateException}).
     */
    public static final class EndProbe extends SparkListener {
        static final String MARKER = "pseudolabel.test.application-end-marker";

        @Override
        public void onApplicationEnd(SparkListenerApplicationEnd end) {
            String how;
            try {
                Thread probe = new Thread(() -> { });
                Runtime.getRuntime().addShutdownHook(probe);
                Runtime.getRuntime().removeShutdownHook(probe);
                how = "stopped by the command";
            } catch (IllegalStateException shuttingDown) {
                how = "stopped by the JVM's shutdown hook";
            }
            try {
                Files.writeString(Path.of(System.getProperty(MARKER)), how + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
