package io.pseudolabel.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.data.NioLocalFileSystem;
import io.pseudolabel.labeler.Fixtures;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** One local[2] Spark session for the whole test JVM, and config pointed at the fixture models. */
public final class TestSpark {
    private static SparkSession spark;

    private TestSpark() {}

    public static synchronized SparkSession session() {
        if (spark == null || spark.sparkContext().isStopped()) {
            NioLocalFileSystem.installAsDefault(); // as Main does
            spark = SparkSession.builder().master("local[2]").appName("pseudolabel-test")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.ui.showConsoleProgress", "false").getOrCreate();
        }
        return spark;
    }

    /** Stops the local session (a test that needs another master, e.g. a standalone cluster, calls this). */
    public static synchronized void stop() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    public static Path fixtureModels() {
        return Fixtures.models();
    }

    /** {@code pseudolabel.image.*} as reference.conf sets them. */
    public static ImageLimits limits() {
        return ImageLimits.from(config(Map.of()));
    }

    /** reference.conf with the fixture models and {@code overrides} (full keys). */
    public static Config config(Map<String, String> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("pseudolabel.models.dir", fixtureModels().toString());
        m.put("pseudolabel.job.progress-interval", "1s");
        m.putAll(overrides);
        return ConfigFactory.parseMap(m).withFallback(ConfigFactory.defaultReference()).resolve();
    }
}
