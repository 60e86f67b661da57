package io.pseudolabel.job.executor;

import io.pseudolabel.onnx.NativeCalls;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkExecutorInfo;

/**
 * Waiting for the tasks a failed job leaves behind. Spark kills the other tasks of a failed stage without
 * waiting for them (and without interrupting them): they go on to their next record, so they may still call a
 * model or write a file after the driver has seen the failure.
 */
public final class RunningTasks {
    private RunningTasks() {}

    /**
     * Waits up to {@code timeoutMillis} until no task runs on any executor of {@code sc} (null: none), no task of
     * this JVM holds a model and no model call is in flight.
     *
     * @return null when all stopped, else what is still running
     */
    public static String awaitNone(SparkContext sc, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            int tasks = sc == null || sc.isStopped() ? 0 : running(sc);
            int leases = ExecutorModels.leases();
            int calls = NativeCalls.inFlight();
            if (tasks == 0 && leases == 0 && calls == 0) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return tasks + " task(s) still running, " + leases + " holding models, " + calls
                        + " model call(s) in flight after " + timeoutMillis + " ms";
            }
            Thread.sleep(20);
        }
    }

    /** Tasks running now on every executor (the driver's too, in local mode). */
    public static int running(SparkContext sc) {
        int n = 0;
        for (SparkExecutorInfo e : sc.statusTracker().getExecutorInfos()) {
            n += e.numRunningTasks();
        }
        return n;
    }
}
