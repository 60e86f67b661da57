package io.pseudolabel.job;

import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.onnx.NativeCalls;
import org.apache.spark.SparkException;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a failing task does to another task that is inside an ONNX Runtime call: the failure is reported, the
 * other task is cancelled and awaited, and its models are closed only once it has let go of them; a failing
 * command exits 1 with its message, not with a native crash.
 */
class NativeLifecycleTest {
    @TempDir
    Path tmp;

    @AfterEach
    void closeModels() {
        ExecutorModels.clear();
    }

    @Test
    void aTaskFailingWhileAnotherIsInAModelCallLeavesThatOneToFinishItsCallAndCloseItsModelsLast() throws Exception {
        Path images = FailingLabelJob.scenes(tmp.resolve("images"), 24);
        ExecutorModels.clear();
        Map<Long, String> ends = new ConcurrentHashMap<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                TaskEndReason reason = end.reason();
                ends.put(end.taskInfo().partitionId() + 1000L * end.stageId(), reason.getClass().getSimpleName()
                        + ": " + reason.toString());
            }
        };
        var spark = TestSpark.session();
        spark.sparkContext().addSparkListener(listener);
        try {
            // Slow fixture models (~0.1 s a graph run): the labelling task is still in its first batch of 8
            // when the driver hears of the failure.
            Path slow = TestSpark.fixtureModels().resolveSibling("models-slow");
            SparkException failure = assertThrows(SparkException.class, () -> FailingLabelJob.run(spark,
                    FailingLabelJob.config(Map.of("pseudolabel.models.dir", slow.toString(),
                            "pseudolabel.job.batch-size", "8")), images, 1));
            assertTrue(failure.getMessage().contains(FailingLabelJob.FAILURE), failure.getMessage());

            // Right after the failure the labelling task is still running with its models: retiring them now
            // must not close them under it.
            ExecutorModels.clear();
            int leasesAfterFailure = ExecutorModels.leases();
            int openAfterFailure = ExecutorModels.open();

            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertTrue(Spark.cancelAndAwait(TimeUnit.MINUTES.toMillis(2), new PrintStream(err, true,
                    StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
            assertEquals(0, NativeCalls.inFlight());
            assertEquals(0, ExecutorModels.leases(), "the killed task released its models");
            assertEquals(0, ExecutorModels.open(), "retired models are closed once the last task let go");
            assertEquals(1, leasesAfterFailure, "the labelling task still holds its models after the failure");
            assertEquals(1, openAfterFailure, "a model set still held is not closed by clear()");

            // Both outcomes: the failing task failed with its exception, the labelling one was killed (not
            // failed) and every row it produced before that was labelled, none hit a closed model.
            spark.sparkContext().listenerBus().waitUntilEmpty();
            List<String> reasons = new ArrayList<>(ends.values());
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("ExceptionFailure") && r.contains(
                    FailingLabelJob.FAILURE)), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("TaskKilled")) || FailingLabelJob.statuses()
                    .size() == 24, "the labelling task was killed or had finished: " + reasons);
            List<String> statuses = FailingLabelJob.statuses();
            assertFalse(statuses.isEmpty(), "the batch in progress at the failure is labelled before the kill");
            assertTrue(statuses.stream().allMatch("OK"::equals), statuses.toString());
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
    }

    /** The same failure as a command in its own JVM: exit 1, the message, no native crash. */
    @Test
    void aFailingCommandExitsOneWithItsMessageAndNoCrashFile() throws Exception {
        Path images = FailingLabelJob.scenes(tmp.resolve("images"), 24);
        Path work = Files.createDirectories(tmp.resolve("work"));
        List<String> cmd = ChildJvm.command("-Xmx1g", "-Dai.djl.offline=true", "-Djava.awt.headless=true");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FailingCommand.class.getName(),
                images.toString(), TestSpark.fixtureModels().toString()));
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child JVM did not end");
        String out = Files.readString(work.resolve("out.txt"));
        List<String> crashFiles;
        try (Stream<Path> s = Files.list(work)) {
            crashFiles = s.map(Path::getFileName).map(Path::toString).filter(n -> n.startsWith("hs_err")).toList();
        }
        assertEquals(List.of(), crashFiles, out);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("error: ") && out.contains(FailingLabelJob.FAILURE), out);
        assertFalse(out.contains("SIGSEGV"), out);
    }

    /** The child JVM of the test above: Main's own failure and exit path around the failing job. */
    static final class FailingCommand {
        public static void main(String[] args) {
            long stop = TimeUnit.MINUTES.toMillis(2);
            var spark = SparkSession.builder().master("local[4]").appName("failing")
                    .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                    .getOrCreate();
            Main.Outcome o = Main.guarded(stop, System.err, () -> {
                FailingLabelJob.run(spark, FailingLabelJob.config(Map.of("pseudolabel.models.dir", args[1],
                        "pseudolabel.job.prepare-threads", "0")), Path.of(args[0]), 3);
                return 0;
            });
            Main.exit(o.code(), o.stopTimeoutMillis(), System.err);
        }
    }
}
