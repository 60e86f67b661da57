package io.pseudolabel.job.label;

import com.typesafe.config.ConfigFactory;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.StageProgress;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.executor.PreparePool;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressAndPlanTest {
    @Test
    void progressLineShowsRateEtaAndErrors() {
        // 30 of 120 images in 15 s: 2 images/s, 90 left -> 45 s.
        assertEquals("label r: 30/120 images, 2.00 images/s, ETA 45s, 1 errors", Progress.line("label r", 30, 120, 1, 15));
        assertEquals("label r: 0/10 images, 0.00 images/s, ETA ?, 0 errors", Progress.line("label r", 0, 10, 0, 3));
        assertEquals("2m5s", StageProgress.formatSeconds(125));
        assertEquals("1h1m", StageProgress.formatSeconds(3661));
    }

    @Test
    void partitionsFollowImagesAndParallelism() {
        JobSettings auto = partitions(0);
        assertEquals(4, LabelJob.partitions(auto, 40, 2));       // 2 x parallelism beats ceil(40/16)=3
        assertEquals(5000, LabelJob.partitions(auto, 80_000, 2)); // ceil(80000/16)
        assertEquals(3, LabelJob.partitions(auto, 3, 8));        // never more partitions than images
        assertEquals(8, LabelJob.partitions(auto, 100, 2));     // ceil(100/16)=7, rounded up to whole waves
        assertEquals(20, LabelJob.partitions(auto, 300, 2));
        assertEquals(9, LabelJob.partitions(auto, 130, 3));
        assertEquals(1, LabelJob.partitions(auto, 0, 2));
        JobSettings fixed = partitions(7);
        assertEquals(7, LabelJob.partitions(fixed, 1000, 2));
    }

    /** reference.conf's pseudolabel.job with {@code partitions} set. */
    private static JobSettings partitions(int n) {
        return JobSettings.from(ConfigFactory.parseString("pseudolabel.job.partitions = " + n)
                .withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void theLayoutIsOneOfThreeNamesInAnyCaseAndAnythingElseIsRefusedNamingTheKey() {
        Function<String, JobSettings> with = v -> JobSettings.from(
                ConfigFactory.parseString("pseudolabel.job.layout = \"" + v + "\"")
                        .withFallback(ConfigFactory.defaultReference()));
        assertEquals(Layout.FOLDER, JobSettings.from(ConfigFactory.defaultReference()).layout());
        assertEquals(Layout.VOC, with.apply("voc").layout());
        assertEquals(Layout.COCO, with.apply(" COCO ").layout());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with.apply("pascal"));
        assertTrue(e.getMessage().contains("pseudolabel.job.layout") && e.getMessage().contains("'pascal'"),
                e.getMessage());
    }

    @Test
    void prepareThreadsAreAutoByDefaultOrANumberFromZeroUp() {
        Function<String, JobSettings> with = v -> JobSettings.from(
                ConfigFactory.parseString("pseudolabel.job.prepare-threads = \"" + v + "\"")
                        .withFallback(ConfigFactory.defaultReference()));
        assertEquals(PreparePool.AUTO, JobSettings.from(ConfigFactory.defaultReference())
                .prepareThreads());
        assertEquals(0, with.apply("0").prepareThreads());
        assertEquals(3, with.apply("3").prepareThreads());
        for (String bad : new String[] {"-1", "two", ""}) {
            IllegalArgumentException e = Assertions.assertThrows(IllegalArgumentException.class,
                    () -> with.apply(bad));
            Assertions.assertTrue(e.getMessage().contains("pseudolabel.job.prepare-threads"),
                    e.getMessage());
        }
    }
}
