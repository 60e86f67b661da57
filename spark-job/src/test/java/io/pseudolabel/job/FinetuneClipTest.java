package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * finetune-clip and label --clip-head through the CLI in local[2], with the confused fixture CLIP: the head
 * labels clearly better than zero-shot, its rows carry another fingerprint, and a head for another class
 * list or another CLIP model is refused.
 */
class FinetuneClipTest {
    private static final ImageLimits LIMITS = TestSpark.limits();

    @TempDir
    static Path tmp;
    static Path voc;
    static Path head;
    static String models;
    static String confused;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        TestSpark.session(); // the CLI's getOrCreate finds the test session
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.print(r.out());
        System.out.print(r.err());
        return r;
    }

    @BeforeAll
    static void finetune() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 5L)).write(voc, 8, 0);
        HeadDemo.writeAuxiliarySet(tmp.resolve("aux"), 16);
        models = TestSpark.fixtureModels().toString();
        confused = TestSpark.fixtureModels().resolve("clip-confused").toString();
        head = tmp.resolve("heads/head.bin");
        // The paper's lr 2e-5 x 50 epochs barely moves a fresh head on 16 images; the test says so here.
        Run r = run("finetune-clip", "--images", tmp.resolve("aux/images").toString(), "--labels",
                tmp.resolve("aux/labels.csv").toString(), "--classes", voc.resolve("classes.txt").toString(),
                "--models", models, "--conf", "pseudolabel.models.clip=" + confused,
                "--conf", "pseudolabel.clip-head.train.learning-rate=1e-2",
                "--conf", "pseudolabel.clip-head.train.epochs=30", "--output", head.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("16 labelled images, 4 views each") && r.out().contains("epoch  30  loss")
                && r.out().contains("sigmoid/BCE, multi-label") && r.out().contains("training-set accuracy"), r.out());
        assertTrue(Files.isRegularFile(head));
    }

    static Run label(String output, String clip, String classes, String... more) {
        List<String> args = new ArrayList<>(List.of("label", "--images", voc.toString(), "--layout", "voc", "--split",
                "train", "--classes", classes, "--models", models, "--conf", "pseudolabel.models.clip=" + clip,
                "--output", tmp.resolve(output).toString()));
        args.addAll(List.of(more));
        return run(args.toArray(new String[0]));
    }

    static double miou(String output) {
        String labels = Runs.resolveLabels(tmp.resolve(output).toString(),
                TestSpark.session().sparkContext().hadoopConfiguration());
        return EvalJob.run(TestSpark.session(), EvalJob.Spec.of(labels, voc.toString(), LIMITS).withSplit("train")
                .withClassNames(FixtureWorld.load().classNames())).miou();
    }

    static String fingerprint(String output) {
        String labels = Runs.resolveLabels(tmp.resolve(output).toString(),
                TestSpark.session().sparkContext().hadoopConfiguration());
        List<Row> rows = TestSpark.session().read().parquet(labels).select("model_fingerprint").distinct()
                .collectAsList();
        assertEquals(1, rows.size());
        return rows.get(0).getString(0);
    }

    @Test
    void headLabelsClearlyBetterThanConfusedZeroShotAndRecordsItsOwnFingerprint() throws Exception {
        String classes = voc.resolve("classes.txt").toString();
        assertEquals(0, label("zero", confused, classes).code());
        // This head (16 tiny images, 30 epochs) is under-confident on unseen scenes: at the default
        // clip-head.min-prob 0.5 it keeps too few classes (mIoU 0.60, below zero-shot); HeadDemo overrides it too.
        Run withHead = label("head", confused, classes, "--clip-head", head.toString(), "--conf",
                "pseudolabel.clip-head.min-prob=" + HeadDemo.MIN_PROB);
        assertEquals(0, withHead.code(), withHead.err());
        assertTrue(withHead.out().contains("classes from the CLIP head " + head), withHead.out());
        double zero = miou("zero");
        double trained = miou("head");
        System.out.printf("label on 8 scenes with the confused CLIP: pseudo-label mIoU zero-shot %.4f, head %.4f%n",
                zero, trained);
        assertTrue(trained >= zero + 0.15 && trained >= 0.85, "head " + trained + " vs zero-shot " + zero);
        assertNotEquals(fingerprint("zero"), fingerprint("head"));
    }

    static double classificationMap(String... more) {
        List<String> args = new ArrayList<>(List.of("eval-classify", "--images", voc.toString(), "--layout", "voc",
                "--split", "train", "--classes", voc.resolve("classes.txt").toString(), "--models", models,
                "--conf", "pseudolabel.models.clip=" + confused));
        args.addAll(List.of(more));
        Run r = run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("mAP\\s+([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void evalClassifyScoresTheHeadAboveConfusedZeroShot() {
        double zero = classificationMap();
        double trained = classificationMap("--clip-head", head.toString());
        System.out.printf("eval-classify on 8 scenes with the confused CLIP: mAP zero-shot %.4f, head %.4f%n", zero,
                trained);
        // One of the 8 scenes holds a car: one image ranked above it costs car 2/3 of its AP; the margin is the claim.
        assertTrue(trained >= zero + 0.15 && trained >= 0.85, "head " + trained + " vs zero-shot " + zero);
    }

    @Test
    void demoClassificationMapIsEvalClassifys() {
        double zero = classificationMap();
        double trained = classificationMap("--clip-head", head.toString());
        Config c = TestSpark.config(Map.of("pseudolabel.models.clip", confused,
                "pseudolabel.job.layout", "voc", "pseudolabel.job.split", "train",
                "pseudolabel.job.classes", voc.resolve("classes.txt").toString()));
        double[] demo = HeadDemo.classificationMap(TestSpark.session(), c, voc, head.toString(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(zero, demo[0], 1e-4);
        assertEquals(trained, demo[1], 1e-4);
    }

    @Test
    void headForAnotherClassListOrAnotherClipIsRefused() throws Exception {
        List<String> reversed = new ArrayList<>(Files.readAllLines(voc.resolve("classes.txt")));
        Collections.reverse(reversed);
        Path other = tmp.resolve("reversed.txt");
        Files.write(other, reversed);
        Run r = label("refused-classes", confused, other.toString(), "--clip-head", head.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("CLIP head " + head + " was trained for the classes "
                + FixtureWorld.load().classNames()) && r.err().contains("this run uses " + reversed), r.err());

        Run wrongClip = label("refused-clip", TestSpark.fixtureModels().resolve("clip").toString(),
                voc.resolve("classes.txt").toString(), "--clip-head", head.toString());
        assertEquals(1, wrongClip.code());
        assertTrue(wrongClip.err().contains("belongs to the CLIP model with fingerprint")
                && wrongClip.err().contains("has fingerprint"), wrongClip.err());
        assertTrue(Files.notExists(tmp.resolve("refused-clip").resolve("_LATEST")));
    }

    @Test
    void moreEmbeddingsThanTheDriverMayHoldAreRefusedBeforeEmbedding() {
        Path out = tmp.resolve("heads/too-big.bin");
        Run r = run("finetune-clip", "--images", tmp.resolve("aux/images").toString(), "--labels",
                tmp.resolve("aux/labels.csv").toString(), "--classes", voc.resolve("classes.txt").toString(),
                "--models", models, "--conf", "pseudolabel.models.clip=" + confused,
                "--conf", "pseudolabel.clip-head.max-driver-embeddings-mb=0", "--output", out.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("16 images x 4 views") && r.err().contains(
                "pseudolabel.clip-head.max-driver-embeddings-mb = 0"), r.err());
        assertTrue(Files.notExists(out));
    }
}
