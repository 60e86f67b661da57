package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.eval.AveragePrecision;
import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.head.FinetuneClipJob;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code demo --clip-head}: the fixture CLIP with a deliberately confused text tower ({@code clip-confused/}:
 * cats are "dog", dogs "cat", boats "car") labels the demo's train split zero-shot; a head fine-tuned on a
 * generated auxiliary set (its own scenes, image-level labels in a CSV) labels it again; both are scored.
 */
final class HeadDemo {
    static final int AUX_IMAGES = 24;
    /** Visible overrides of the paper's lr 2e-5 x 50 epochs: a fresh head on 24 tiny images needs more. */
    static final String LEARNING_RATE = "1e-2";
    static final String EPOCHS = "30";

    private HeadDemo() {}

    static void run(SparkSession spark, Config demo, Path root, Path voc, String models, List<String> classes,
            PrintStream out) throws IOException {
        long start = System.currentTimeMillis();
        Path confused = Path.of(models).resolve("clip-confused");
        if (!Files.isDirectory(confused)) {
            throw new IllegalArgumentException("demo --clip-head needs the fixture " + confused
                    + " (a CLIP whose text tower confuses classes); it is in model-udfs/fixtures/models/");
        }
        Path aux = root.resolve("clip-aux");
        if (!Files.isRegularFile(aux.resolve("labels.csv"))) {
            writeAuxiliarySet(aux, AUX_IMAGES);
        }
        Config c = Commands.set(demo, "pseudolabel.models.clip", confused.toString());
        c = Commands.set(c, "pseudolabel.clip-head.train.learning-rate", LEARNING_RATE);
        c = Commands.set(c, "pseudolabel.clip-head.train.epochs", EPOCHS);
        out.printf("%ndemo --clip-head: CLIP %s (its text tower calls cats \"dog\", dogs \"cat\", boats \"car\")%n"
                + "fine-tuning a head on %d generated images (%s) with learning rate %s and %s epochs "
                + "(overriding the paper's 2e-5 and 50: a fresh head on a tiny set needs more)%n",
                confused, AUX_IMAGES, aux.resolve("labels.csv"), LEARNING_RATE, EPOCHS);
        String headUri = root.resolve("clip-head.bin").toString();
        FinetuneClipJob.Summary fine = FinetuneClipJob.run(spark, c, new FinetuneClipJob.Options(
                aux.resolve("images").toString(), aux.resolve("labels.csv").toString(), null, headUri), out);

        LabelJob.Summary zero = LabelJob.run(spark, c, new LabelJob.Options(voc.toString(),
                root.resolve("labels-confused-zero-shot").toString(), null, false), out);
        LabelJob.Summary withHead = LabelJob.run(spark, Commands.set(c, "pseudolabel.job.clip-head", headUri),
                new LabelJob.Options(voc.toString(), root.resolve("labels-confused-head").toString(), null, false),
                out);
        double miouZero = miou(spark, zero, voc, classes);
        double miouHead = miou(spark, withHead, voc, classes);
        double[] map = classificationMap(spark, c, voc, classes, fine.head());
        out.printf(Locale.ROOT, "demo --clip-head on %d train images, confused CLIP: classification mAP "
                + "zero-shot %.4f, head %.4f; pseudo-label mIoU zero-shot %.4f, head %.4f (%.0f s; head: %s)%n", zero.total(), map[0],
                map[1], miouZero, miouHead, (System.currentTimeMillis() - start) / 1000.0, headUri);
    }

    static double miou(SparkSession spark, LabelJob.Summary s, Path voc, List<String> classes) {
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(s.labelsDir(), voc.toString()).withSplit("train")
                .withClassNames(classes));
        return r.miou();
    }

    /** Image-level AP against the VOC annotations, from CLIP's probabilities: zero-shot, then the head. */
    static double[] classificationMap(SparkSession spark, Config c, Path voc, List<String> classes, ClipHead head) {
        LabelerSettings s = LabelerSettings.from(c);
        List<ImageRef> refs = DatasetLister.list("voc", voc.toString(), "train", null, true, false,
                spark.sparkContext().hadoopConfiguration());
        ImageDecoder decoder = new ImageDecoder(s.maxPixels());
        float[][] zeroScores = new float[refs.size()][];
        float[][] headScores = new float[refs.size()][];
        boolean[][] truth = new boolean[refs.size()][classes.size()];
        ImageClassifier zero = new ZeroShotClassifier(LabelJob.textEmbeddings(s, classes, "demo"),
                s.clip().logitScale());
        try (ClipModel clip = ClipModel.load(s.clipPath(), RuntimeOptions.cpu())) {
            for (int i = 0; i < refs.size(); i++) {
                ImageRef r = refs.get(i);
                float[] emb;
                try {
                    emb = clip.embedImages(List.of(clip.preprocess(decoder.decode(
                            HadoopFiles.read(r.uri(), spark.sparkContext().hadoopConfiguration()), r.uri()))))[0];
                } catch (IOException | ImageDecodeException e) {
                    throw new IllegalStateException("demo image " + r.uri() + ": " + e.getMessage(), e);
                }
                zeroScores[i] = zero.probabilities(emb);
                headScores[i] = head.probabilities(emb);
                for (String label : r.givenLabels()) {
                    truth[i][classes.indexOf(label)] = true;
                }
            }
        }
        return new double[] {
                AveragePrecision.summarize(classes, zeroScores, truth, AveragePrecision.Method.SKLEARN).map(),
                AveragePrecision.summarize(classes, headScores, truth, AveragePrecision.Method.SKLEARN).map()};
    }

    /** {@code images/<scene>.jpg} and {@code labels.csv} ({@code image,label;label}) from scenes of seed 101. */
    static void writeAuxiliarySet(Path dir, int count) throws IOException {
        SceneGenerator gen = new SceneGenerator(FixtureWorld.load(), 101L);
        Files.createDirectories(dir.resolve("images"));
        StringBuilder csv = new StringBuilder("image,labels\n");
        for (int i = 0; i < count; i++) {
            Scene s = gen.scene(i);
            Files.write(dir.resolve("images").resolve(s.id() + ".jpg"),
                    VocSceneWriter.jpeg(s.image(), VocSceneWriter.JPEG_QUALITY));
            List<String> names = new ArrayList<>(s.objects().stream().map(SceneObject::name).distinct().toList());
            csv.append(s.id()).append(".jpg,").append(String.join(";", names)).append('\n');
        }
        Files.writeString(dir.resolve("labels.csv"), csv.toString(), StandardCharsets.UTF_8);
    }
}
