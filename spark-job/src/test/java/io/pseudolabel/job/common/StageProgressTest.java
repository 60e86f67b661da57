package io.pseudolabel.job.common;

import io.pseudolabel.job.TestSpark;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line of eval, predict, export, finetune-clip and eval-classify, on a real local[2] job. */
class StageProgressTest {
    /** Holds the last task until the line for the first three has been printed (tasks run in this JVM). */
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Test
    void printsTasksDoneOfTheRunningStagesAndStopsWithTheCommand() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StageProgress p = new StageProgress(jsc.sc(), "export voc", 20, out);
        Thread job = new Thread(() -> jsc.parallelize(List.of(0, 1, 2, 3), 4).foreach(i -> {
            if (i == 3) {
                RELEASE.await(5, TimeUnit.MINUTES);
            }
        }));
        job.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5); // only against a hang, not a timing check
        while (!bytes.toString(StandardCharsets.UTF_8).contains("export voc: 3/4 tasks")
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        RELEASE.countDown();
        job.join();
        jsc.sc().listenerBus().waitUntilEmpty();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.matches("(?s).*export voc: 3/4 tasks, \\d+\\.\\d\\d tasks/s, ETA \\S+, 0 failed tasks\\n.*"),
                printed);
        assertArrayEquals(new long[] {4, 4, 0}, p.counts());
        p.close();
        int lines = printed.split("\n").length;
        Thread.sleep(100);
        assertEquals(lines, bytes.toString(StandardCharsets.UTF_8).split("\n").length, "nothing after close");
        assertEquals("eval: 5/10 tasks, 2.50 tasks/s, ETA 2s, 1 failed tasks", StageProgress.line("eval", 5, 10, 1, 2.0));
    }
}
