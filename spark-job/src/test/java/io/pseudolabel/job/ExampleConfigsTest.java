package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.label.ReadRetry;
import io.pseudolabel.job.run.Retention;
import io.pseudolabel.job.run.RunSettings;
import io.pseudolabel.job.train.TrainSettings;
import io.pseudolabel.onnx.ExecutionDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example configurations in {@code conf/} load through the real {@link JobConfig} (unknown keys refused),
 * every settings record of the commands they are for accepts them, and the deploy scripts and README name them.
 */
class ExampleConfigsTest {

    static Path project() {
        Path p = Path.of("..", "conf");
        return (Files.isDirectory(p) ? Path.of("..") : Path.of(".")).toAbsolutePath().normalize();
    }

    static Config load(String name) {
        return JobConfig.load(project().resolve("conf").resolve(name).toString(), List.of());
    }

    /** Everything label and train read of a configuration, so a bad value fails here rather than at night. */
    static void validate(Config c) {
        JobSettings.from(c);
        ReadRetry.from(c);
        RunSettings.from(c);
        Retention.from(c);
        LabelerSettings.from(c);
        List<String> classes = ClassList.resolve(c.getString("pseudolabel.job.classes"));
        TrainSettings.from(c, classes.size() + 1);
    }

    @Test
    void demoConfIsWhatTheDemoRunsWith() {
        Config c = load("demo.conf");
        validate(c);
        JobSettings j = JobSettings.from(c);
        assertEquals(Layout.VOC, j.layout());
        TrainSettings t = TrainSettings.from(c, 6);
        assertEquals(25, t.rounds());
        assertEquals(10, t.localSteps());
        assertEquals(2, t.workers());
        assertEquals(18, t.segmenter().depth());
    }

    @Test
    void vocConfIsOneGpuBox() {
        Config c = load("voc.conf");
        validate(c);
        JobSettings j = JobSettings.from(c);
        assertEquals(Layout.VOC, j.layout());
        assertEquals(20, ClassList.resolve(j.classes()).size());
        assertEquals(ExecutionDevice.GPU, LabelerSettings.from(c).runtime().device());
        assertEquals(1, TrainSettings.from(c, 21).workers());
    }

    @Test
    void cocoNightlyConfIsAnS3ClusterRun() {
        Config c = load("coco-nightly.conf");
        validate(c);
        JobSettings j = JobSettings.from(c);
        assertEquals(Layout.COCO, j.layout());
        assertTrue(j.annotations().startsWith("s3a://"), j.annotations());
        assertEquals(80, ClassList.resolve(j.classes()).size());
        assertTrue(c.getString("pseudolabel.models.dir").startsWith("s3a://"));
        assertEquals(ExecutionDevice.GPU, LabelerSettings.from(c).runtime().device());
        assertEquals(0.01, RunSettings.from(c).maxFailedFraction());
    }

    @Test
    void deployScriptsAndReadmeUseTheExamples() throws Exception {
        String readme = Files.readString(project().resolve("README.md"));
        for (String name : List.of("demo.conf", "voc.conf", "coco-nightly.conf")) {
            assertTrue(readme.contains("conf/" + name), "README names conf/" + name);
        }
        for (String script : List.of("submit-yarn.sh", "submit-k8s.sh", "submit-standalone.sh")) {
            assertTrue(Files.readString(project().resolve("deploy").resolve(script)).contains("coco-nightly.conf"),
                    script + " uses conf/coco-nightly.conf");
        }
    }

    @Test
    void aTypoInACopyIsRefusedNamingTheFile(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("coco-nightly.conf");
        Files.writeString(copy, Files.readString(project().resolve("conf/coco-nightly.conf"))
                .replace("max-failed-fraction", "max-failed-fractoin"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(copy.toString(), List.of()));
        assertTrue(e.getMessage().contains("pseudolabel.job.max-failed-fractoin") && e.getMessage().contains(
                "coco-nightly.conf"), e.getMessage());
    }
}
