package io.pseudolabel.job;

import io.pseudolabel.job.common.Spark;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The executor environment every command's Spark session gets (read the way spark-submit passes settings: as
 * {@code spark.*} system properties): oneDNN's exact kernels, passive OpenMP threads, libtorch's pool sized to the
 * executor's cores, and whatever the user set kept as it is.
 */
class SparkConfTest {
    @AfterEach
    void clear() {
        System.clearProperty("spark.executor.cores");
        System.clearProperty("spark.executorEnv.OMP_WAIT_POLICY");
        System.clearProperty("spark.master");
    }

    @Test
    void executorsTrainWithExactKernelsPassiveThreadsAndTheirOwnCoreCount() {
        System.setProperty("spark.executor.cores", "3");
        SparkConf conf = Spark.conf(null, "pseudolabel test");
        assertEquals("local[*]", conf.get("spark.master"));
        assertEquals("pseudolabel test", conf.get("spark.app.name"));
        assertEquals("AVX2", conf.get("spark.executorEnv.ONEDNN_MAX_CPU_ISA"));
        assertEquals("PASSIVE", conf.get("spark.executorEnv.OMP_WAIT_POLICY"));
        assertEquals("ERROR", conf.get("spark.executorEnv.TORCH_CPP_LOG_LEVEL"));
        assertEquals("3", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals("3", conf.get("spark.executorEnv.MKL_NUM_THREADS"));
        assertEquals("false", conf.get("spark.ui.showConsoleProgress"));
    }

    @Test
    void theUsersSettingsAndMasterWin() {
        System.setProperty("spark.executorEnv.OMP_WAIT_POLICY", "ACTIVE");
        System.setProperty("spark.master", "spark://submitted:7077");
        SparkConf conf = Spark.conf(null, "pseudolabel test");
        assertEquals("ACTIVE", conf.get("spark.executorEnv.OMP_WAIT_POLICY"));
        assertEquals("spark://submitted:7077", conf.get("spark.master"));
        // without executor cores, libtorch keeps its own default
        assertFalse(conf.contains("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals("local[2]", Spark.conf("local[2]", "x").get("spark.master"));
    }
}
