package io.pseudolabel.job.common;

import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.executor.RunningTasks;
import io.pseudolabel.onnx.NativeCalls;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;

/** The Spark session of a command: spark-submit's master when submitted, else --master, else local[*]. */
public final class Spark {
    private Spark() {}

    public static SparkSession session(String master, String appName) {
        return SparkSession.builder().config(conf(master, appName)).getOrCreate();
    }

    /**
     * The command's Spark configuration: spark-submit's (the {@code spark.*} system properties) with the master,
     * and the executor environment for CPU training where the user set none.
     */
    public static SparkConf conf(String master, String appName) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // Executors training the segmenter on CPUs: exact oneDNN kernels, no spinning OpenMP threads.
        conf.setIfMissing("spark.executorEnv.ONEDNN_MAX_CPU_ISA", "AVX2");
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        conf.setIfMissing("spark.executorEnv.TORCH_CPP_LOG_LEVEL", "ERROR");
        // libtorch sizes its thread pool by the machine's cores, not the executor's: on a shared node every
        // executor would run one thread per core. Size it to the cores Spark gave the executor.
        if (conf.contains("spark.executor.cores")) {
            conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.executor.cores"));
            conf.setIfMissing("spark.executorEnv.MKL_NUM_THREADS", conf.get("spark.executor.cores"));
        }
        return conf;
    }

    /**
     * Stops this JVM's Spark session, if one is running and no model call is in flight (a failed command whose
     * tasks did not stop in time exits without it; see {@link Main#exit}).
     */
    public static void stop(PrintStream err) {
        SparkSession session = SparkSession.getDefaultSession().getOrElse(() -> null);
        if (session == null || session.sparkContext().isStopped()) {
            return;
        }
        if (NativeCalls.inFlight() > 0 || RunningTasks.running(session.sparkContext()) > 0) {
            err.println("warning: tasks still running; exiting without stopping the Spark session");
            return;
        }
        session.stop();
    }

    /**
     * After a failure: cancels every job of this JVM's Spark session and waits, up to {@code timeoutMillis},
     * until no task runs on any executor, no task of this JVM holds a model and no model call is in flight.
     * Spark kills the other tasks of a failed stage without waiting for them (and without interrupting them),
     * and they go on into their next model call; freeing anything native under them (ONNX Runtime's shutdown
     * hook when the JVM exits, closing the models) crashes the JVM.
     *
     * @return whether everything stopped in time
     */
    public static boolean cancelAndAwait(long timeoutMillis, PrintStream err) throws InterruptedException {
        SparkSession session = SparkSession.getDefaultSession().getOrElse(() -> null);
        SparkContext sc = session == null ? null : session.sparkContext();
        if (sc != null && !sc.isStopped()) {
            sc.cancelAllJobs();
        }
        int running = sc == null || sc.isStopped() ? 0 : RunningTasks.running(sc);
        if (running > 0 || ExecutorModels.leases() > 0) {
            err.printf("stopping: waiting for %d running task(s) to end before exiting%n",
                    Math.max(running, ExecutorModels.leases()));
        }
        String left = RunningTasks.awaitNone(sc, timeoutMillis);
        if (left != null) {
            err.println("error: " + left);
        }
        return left == null;
    }
}
