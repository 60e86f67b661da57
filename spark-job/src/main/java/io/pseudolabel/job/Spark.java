package io.pseudolabel.job;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: spark-submit's master when submitted, else --master, else local[*]. */
final class Spark {
    private Spark() {}

    static SparkSession session(String master, String appName) {
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
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
