package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documented precedence of {@link JobConfig#load}, one layer at a time, and unknown keys from each place. */
class JobConfigTest {
    private static final List<String> PROPERTIES = List.of("spark.pseudolabel.job.batch-size",
            "pseudolabel.job.batch-size", "config.file", "spark.pseudolabel.job.batch-sise");

    @AfterEach
    void clear() {
        PROPERTIES.forEach(System::clearProperty);
    }

    private static int batchSize(String file, List<String> confs) {
        return JobConfig.load(file, confs).getInt("pseudolabel.job.batch-size");
    }

    @Test
    void eachPlaceOverridesTheOnesBelowIt(@TempDir Path tmp) throws Exception {
        Path typesafe = tmp.resolve("typesafe.conf");
        Files.writeString(typesafe, "pseudolabel.job.batch-size = 2\npseudolabel.job.split = val\n");
        Path file = tmp.resolve("job.conf");
        Files.writeString(file, "pseudolabel.job.batch-size = 3\n");

        assertEquals(8, batchSize(null, List.of()), "reference.conf");
        System.setProperty("config.file", typesafe.toString());
        assertEquals(2, batchSize(null, List.of()), "-Dconfig.file over reference.conf");
        assertEquals(3, batchSize(file.toString(), List.of()), "--config over -Dconfig.file");
        assertEquals("val", JobConfig.load(file.toString(), List.of()).getString("pseudolabel.job.split"),
                "-Dconfig.file still fills what --config leaves");
        System.setProperty("spark.pseudolabel.job.batch-size", "4");
        assertEquals(4, batchSize(file.toString(), List.of()), "spark.pseudolabel.* over --config");
        System.setProperty("pseudolabel.job.batch-size", "5");
        assertEquals(5, batchSize(file.toString(), List.of()), "-Dpseudolabel.* over spark.pseudolabel.*");
        assertEquals(6, batchSize(file.toString(), List.of("pseudolabel.job.batch-size=6")),
                "the command's --conf over everything");
    }

    @Test
    void sparkConfFromTheCommandLineIsMappedToo() {
        // application --conf spark.* goes into the SparkConf like spark-submit's, so it maps the same way
        Config c = JobConfig.load(null, List.of("spark.pseudolabel.job.batch-size=7"));
        assertEquals(7, c.getInt("pseudolabel.job.batch-size"));
    }

    @Test
    void theRemovedClipBatchSizeNamesTheKeyThatReplacedIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(null, List.of("pseudolabel.clip.image-batch-size=4")));
        assertTrue(e.getMessage().contains("pseudolabel.clip.image-batch-size"), e.getMessage());
        assertTrue(e.getMessage().contains("was removed"), e.getMessage());
        assertTrue(e.getMessage().contains("pseudolabel.job.batch-size"), e.getMessage());
    }

    @Test
    void unknownKeysAreRefusedNamingWhereTheyCameFrom(@TempDir Path tmp) throws Exception {
        System.setProperty("spark.pseudolabel.job.batch-sise", "4");
        IllegalArgumentException spark = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(null, List.of()));
        assertTrue(spark.getMessage().contains("pseudolabel.job.batch-sise")
                && spark.getMessage().contains("SparkConf spark.pseudolabel.job.batch-sise"), spark.getMessage());
        System.clearProperty("spark.pseudolabel.job.batch-sise");

        IllegalArgumentException conf = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(null, List.of("pseudolabel.job.batch-sise=4")));
        assertTrue(conf.getMessage().contains("command line --conf pseudolabel.job.batch-sise"), conf.getMessage());

        Path typesafe = tmp.resolve("typesafe.conf");
        Files.writeString(typesafe, "pseudolabel.job.batch-sise = 2\n");
        System.setProperty("config.file", typesafe.toString());
        IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(null, List.of()));
        assertTrue(file.getMessage().contains("typesafe.conf"), file.getMessage());
    }
}
