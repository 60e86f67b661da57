package io.pseudolabel.job;

import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.job.train.DistributedTrainer;
import io.pseudolabel.job.train.PredictJob;
import io.pseudolabel.job.train.SegmenterModel;
import io.pseudolabel.job.train.TrainSettings;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stage 2 over Spark: two workers in local[2], checkpoints, resume, and a model that beats all-background. */
class DistributedTrainerTest {
    @TempDir
    static Path tmp;
    static Path voc;
    static List<String> classes;
    static String labels;

    @BeforeAll
    static void pseudoLabels() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 41L)).write(voc, 12, 6);
        classes = Files.readAllLines(voc.resolve("classes.txt"));
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.classes",
                voc.resolve("classes.txt").toString(), "pseudolabel.supervision", "boxes"));
        labels = LabelJob.run(TestSpark.session(), config, new LabelJob.Options(voc.toString(),
                tmp.resolve("labels").toString(), "p1", false), quiet()).labelsDir();
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    static TrainSettings settings(int rounds) {
        return TrainSettings.from(TestSpark.config(Map.of()), classes.size() + 1).with(rounds, 4, 2);
    }

    @Test
    void twoWorkersTrainAResumableModelThatBeatsAllBackground() throws Exception {
        String out = tmp.resolve("seg").toString();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DistributedTrainer.Result first = DistributedTrainer.train(TestSpark.session(), settings(3), classes, labels,
                null, out, TestSpark.limits(), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(3, first.losses().size());
        assertEquals(0, first.resumedFrom());
        assertTrue(Files.exists(Path.of(out, "checkpoints", "round-00003", "model.safetensors")));
        assertEquals("round-00003", Files.readString(Path.of(out, "checkpoints", "_LATEST")).strip());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("train round 3/3: loss"), log.toString());

        // A restarted train with more rounds continues after the saved round instead of starting over.
        DistributedTrainer.Result resumed = DistributedTrainer.train(TestSpark.session(), settings(12), classes,
                labels, null, out, TestSpark.limits(), quiet());
        assertEquals(3, resumed.resumedFrom());
        // pseudolabel.train.keep-checkpoints = 3: only the newest three rounds are left
        try (var rounds = Files.list(Path.of(out, "checkpoints"))) {
            assertEquals(List.of("round-00010", "round-00011", "round-00012"),
                    rounds.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("round-")).sorted().toList());
        }
        assertEquals(12, resumed.losses().size());
        assertEquals(first.losses(), resumed.losses().subList(0, 3));
        double early = (resumed.losses().get(0) + resumed.losses().get(1)) / 2;
        double late = (resumed.losses().get(10) + resumed.losses().get(11)) / 2;
        assertTrue(late < early * 0.8, "loss should fall: " + resumed.losses());

        var hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
        SegmenterModel model = SegmenterModel.read(resumed.modelDir(), hadoop);
        List<ImageRef> val = DatasetLister.list(Layout.VOC, voc.toString(), "val", null, false, false, hadoop);
        String table = PredictJob.run(TestSpark.session(), model, val, tmp.resolve("pred").toString(), true,
                TestSpark.limits());
        assertEquals(6, Files.list(tmp.resolve("pred/png")).count());
        EvalResult r = EvalJob.labelsAgainstVoc(TestSpark.session(), table, voc.toString(), classes,
                TestSpark.limits());
        // All-background scores background IoU ~0.8 and 0 elsewhere: mIoU ~0.8/7 over the present classes.
        System.out.println("segmenter after 12 rounds: " + r.miou() + " losses " + resumed.losses());
        assertEquals(6, r.numImages());
        // measured 0.6099 (issue 16, and main at b4e7833: 0.6099008362090006); the bar was 0.25
        assertTrue(r.miou() >= 0.59, "segmenter mIoU " + r.miou());
    }

    @Test
    void aResumeAgainstAnotherLabelsRunOrClassListIsRefused() throws Exception {
        String out = tmp.resolve("seg-nightly").toString();
        DistributedTrainer.train(TestSpark.session(), settings(1), classes, labels, null, out, TestSpark.limits(), quiet());

        // The next night publishes another label run into the same output root.
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.classes",
                voc.resolve("classes.txt").toString(), "pseudolabel.supervision", "boxes"));
        LabelJob.run(TestSpark.session(), config, new LabelJob.Options(voc.toString(), tmp.resolve("labels").toString(),
                "p2", false), quiet());
        var hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
        String latest = Runs.resolveLabels(tmp.resolve("labels").toString(), hadoop);
        assertTrue(latest.endsWith("/runs/p2/labels"), latest);
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> DistributedTrainer.train(
                TestSpark.session(), settings(2), classes, latest, null, out, TestSpark.limits(), quiet()));
        assertTrue(other.getMessage().contains("were trained on labels run p1") && other.getMessage().contains(
                "this train reads labels run p2") && other.getMessage().contains("new --output"), other.getMessage());

        List<String> renamed = new ArrayList<>(classes);
        Collections.reverse(renamed);
        IllegalArgumentException classList = assertThrows(IllegalArgumentException.class, () -> DistributedTrainer
                .train(TestSpark.session(), settings(2), renamed, labels, null, out, TestSpark.limits(), quiet()));
        assertTrue(classList.getMessage().contains("with classes " + renamed), classList.getMessage());

        // Against the labels it started on, it resumes.
        assertEquals(1, DistributedTrainer.train(TestSpark.session(), settings(2), classes, labels, null, out,
                TestSpark.limits(), quiet()).resumedFrom());
    }
}
