package io.pseudolabel.job.label;

import org.apache.spark.util.LongAccumulator;

import java.io.PrintStream;
import java.util.Locale;

/** A driver thread printing done/total, images/s, ETA and errors every few seconds while a stage runs. */
final class Progress implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    Progress(String what, long total, LongAccumulator done, LongAccumulator failed, long intervalMillis,
            PrintStream out) {
        long start = System.nanoTime();
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
                if (running) {
                    out.println(line(what, done.value(), total, failed.value(), (System.nanoTime() - start) / 1e9));
                }
            }
        }, "pseudolabel-progress");
        thread.setDaemon(true);
        thread.start();
    }

    static String line(String what, long done, long total, long errors, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? formatSeconds((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "%s: %d/%d images, %.2f images/s, ETA %s, %d errors", what, done, total,
                rate, eta, errors);
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? (t / 3600) + "h" + (t % 3600 / 60) + "m" : t >= 60 ? (t / 60) + "m" + (t % 60) + "s" : t + "s";
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
