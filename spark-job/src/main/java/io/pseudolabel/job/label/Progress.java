package io.pseudolabel.job.label;

import io.pseudolabel.job.common.StageProgress;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A driver thread printing done/total, images/s, ETA and errors every few seconds while a stage runs.
 * Counts of tasks still running come from executor heartbeats, so a long partition shows progress before
 * it finishes.
 */
final class Progress implements AutoCloseable {
    private final Thread thread;
    private final SparkContext sc;
    private final Listener listener;
    private volatile boolean running = true;

    Progress(SparkContext sc, String what, long total, LongAccumulator done, LongAccumulator failed,
            long intervalMillis, PrintStream out) {
        this.sc = sc;
        this.listener = new Listener(done.id());
        sc.addSparkListener(listener);
        long start = System.nanoTime();
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
                if (running) {
                    long now = done.value() + listener.inFlight();
                    out.println(line(what, Math.min(now, total), total, failed.value(),
                            (System.nanoTime() - start) / 1e9));
                }
            }
        }, "pseudolabel-progress");
        thread.setDaemon(true);
        thread.start();
    }

    static String line(String what, long done, long total, long errors, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? StageProgress.formatSeconds((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "%s: %d/%d images, %.2f images/s, ETA %s, %d errors", what, done, total,
                rate, eta, errors);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        sc.removeSparkListener(listener);
    }

    /** The latest value of one accumulator in each running task, from heartbeats; dropped when the task ends. */
    static final class Listener extends SparkListener {
        private final long accumulatorId;
        private final Map<Long, Long> byTask = new ConcurrentHashMap<>();

        Listener(long accumulatorId) {
            this.accumulatorId = accumulatorId;
        }

        long inFlight() {
            return byTask.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
            Iterator<Tuple4<Object, Object, Object, Seq<AccumulableInfo>>>
                    it = update.accumUpdates().iterator();
            while (it.hasNext()) {
                var t = it.next();
                long taskId = (Long) t._1();
                Iterator<AccumulableInfo> infos = t._4().iterator();
                while (infos.hasNext()) {
                    AccumulableInfo info = infos.next();
                    if (info.id() == accumulatorId && info.update().isDefined()
                            && info.update().get() instanceof Long v) {
                        byTask.put(taskId, v);
                    }
                }
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            byTask.remove(end.taskInfo().taskId());
        }
    }
}
