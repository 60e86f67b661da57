package io.pseudolabel.job.common;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress line of a long command that is not {@code label} ({@code eval}, {@code eval-classify},
 * {@code predict}, {@code export}, {@code finetune-clip}): every {@code pseudolabel.job.progress-interval}, while
 * Spark tasks run, the tasks done of all stages submitted so far, the rate, the ETA and the failed tasks, in
 * the format of label's per-image line. Nothing is printed by a command whose work ends before the first tick.
 */
public final class StageProgress implements AutoCloseable {
    private final SparkContext sc;
    private final Listener listener = new Listener();
    private final Thread thread;
    private volatile boolean running = true;

    public StageProgress(SparkContext sc, String what, long intervalMillis, PrintStream out) {
        this.sc = sc;
        sc.addSparkListener(listener);
        long start = System.nanoTime();
        thread = new Thread(() -> {
            long printed = -1;
            while (running) {
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
                long total = listener.total.get();
                long done = Math.min(listener.done.get(), total);
                if (running && total > 0 && done != printed) {
                    out.println(line(what, done, total, listener.failed.get(), (System.nanoTime() - start) / 1e9));
                    printed = done;
                }
            }
        }, "pseudolabel-stage-progress");
        thread.setDaemon(true);
        thread.start();
    }

    static String line(String what, long done, long total, long failed, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? formatSeconds((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "%s: %d/%d tasks, %.2f tasks/s, ETA %s, %d failed tasks", what, done, total,
                rate, eta, failed);
    }

    /** Seconds as "42s", "2m5s" or "1h1m", the ETA of every progress line. */
    public static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? (t / 3600) + "h" + (t % 3600 / 60) + "m" : t >= 60 ? (t / 60) + "m" + (t % 60) + "s" : t + "s";
    }

    /** Tasks of the stages submitted while this is open: planned, ended successfully, failed. */
    long[] counts() {
        return new long[] {listener.total.get(), listener.done.get(), listener.failed.get()};
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        sc.removeSparkListener(listener);
    }

    private static final class Listener extends SparkListener {
        final AtomicLong total = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted s) {
            total.addAndGet(s.stageInfo().numTasks());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            if (e.taskInfo().successful()) {
                done.incrementAndGet();
            } else if (e.taskInfo().failed()) {
                failed.incrementAndGet();
            }
        }
    }
}
