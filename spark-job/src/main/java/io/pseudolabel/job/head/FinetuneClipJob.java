package io.pseudolabel.job.head;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.head.ClassNameMap;
import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.clip.head.ClipHeadFormat;
import io.pseudolabel.clip.head.ClipHeadSettings;
import io.pseudolabel.clip.head.ClipHeadTrainer;
import io.pseudolabel.clip.head.ViewEmbedder;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.job.executor.TaskGpus;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * finetune-clip: executors embed every labelled image and its augmented views with CLIP's vision model (one
 * CLIP per executor JVM, as the label stage caches models), the driver collects the embeddings (512 floats
 * a view), trains the head with {@link ClipHeadTrainer} and writes it with {@link ClipHeadFormat}. Only the
 * head is trained; CLIP's encoder stays frozen.
 */
public final class FinetuneClipJob {
    private FinetuneClipJob() {}

    public record Options(String images, String labels, String classMap, String output) {}

    public record Summary(ClipHead head, int images, int views, int failed, List<ClipHeadTrainer.Epoch> epochs,
            double trainingAccuracy, String output) {}

    /** What executors need; broadcast once. */
    record Task(LabelerSettings settings, String clipFingerprint, ClipHeadSettings head, ImageLimits limits)
            implements Serializable {}

    /** The views' embeddings of one image, or why it failed. */
    record Embedded(String key, float[][] views, String error) implements Serializable {}

    /** What every stage of one finetune-clip run uses. */
    private record Context(SparkSession spark, JavaSparkContext jsc, Configuration hadoop, LabelerSettings remote,
            LabelerSettings local, ClipHeadSettings head, List<String> classes, String clipFingerprint,
            PrintStream out) {}

    /** The embeddings of every view of every readable image, one row-major array, and each view's target. */
    private record Assembled(float[] x, float[][] y, int rows, int dim, int[] labelsPerImage, List<String> errors) {}

    /** read labels, embed, assemble, train, write. */
    public static Summary run(SparkSession spark, Config config, Options o, PrintStream out) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        LabelerSettings remote = ModelLocalizer.clipOnly(config, "finetune-clip");
        LabelerSettings local = ModelLocalizer.localize(remote, hadoop);
        Context c = new Context(spark, jsc, hadoop, remote, local, ClipHeadSettings.from(config),
                ClassList.resolve(JobSettings.from(config).classes(), hadoop),
                ModelFingerprint.ofClip(local.clipPath()), out);
        HeadLabels.Result labels = readLabels(c, o);
        int dim = checkDriverBudget(c, labels.examples().size());
        List<Embedded> embedded = embed(c, labels);
        Assembled a = assemble(c, labels, embedded, dim);
        boolean multiLabel = c.head().multiLabel(a.labelsPerImage());
        ClipHeadTrainer.Result r = train(c, a, multiLabel);
        double accuracy = ClipHeadTrainer.accuracy(r.head(), a.x(), a.dim(), a.y());
        out.printf(Locale.ROOT, "training-set accuracy %.4f (%s)%n", accuracy,
                multiLabel ? "per class at probability 0.5" : "top-1");
        int images = labels.examples().size() - a.errors().size();
        write(c, o, r, images, a.rows(), multiLabel, accuracy);
        return new Summary(r.head(), images, a.rows(), a.errors().size(), r.epochs(), accuracy, o.output());
    }

    /** The labelled images, their labels mapped onto the class list. */
    private static HeadLabels.Result readLabels(Context c, Options o) throws IOException {
        ClassNameMap map = o.classMap() == null ? ClassNameMap.identity()
                : ClassNameMap.parse(HadoopFiles.readString(o.classMap(), c.hadoop()), o.classMap());
        HeadLabels.Result labels = HeadLabels.read(o.images(), o.labels(), map, c.classes(),
                c.head().dropUnknownLabels(), c.hadoop());
        if (!labels.droppedLabels().isEmpty() || labels.imagesWithoutLabels() > 0) {
            c.out().printf("dropped labels outside --classes: %s; %d images left without a label%n",
                    labels.droppedLabels(), labels.imagesWithoutLabels());
        }
        c.out().printf(Locale.ROOT, "finetune-clip: %d labelled images, %d views each, CLIP %s (%s)%n",
                labels.examples().size(), c.head().views(), c.local().clipPath(), c.clipFingerprint());
        return labels;
    }

    /**
     * The embedding size; refuses, before the Spark job, embeddings that would not fit on the driver. On the
     * CPU: the driver is assigned no GPU, and models.device = gpu would fail there.
     */
    private static int checkDriverBudget(Context c, int images) {
        RuntimeOptions driverRuntime = c.remote().runtime().resolvedDevice() == ExecutionDevice.GPU
                ? c.remote().runtime().onCpu() : c.remote().runtime();
        int dim;
        try (ExecutorModels.Lease<ClipModel> clip = ExecutorModels.acquireClip(c.local().clipPath(),
                c.clipFingerprint(), driverRuntime)) {
            dim = embeddingDim(clip.get());
        }
        long bytes = driverEmbeddingBytes(images, c.head().views(), dim, c.head().maxDriverEmbeddingsMb(),
                c.jsc().getConf().getSizeAsBytes(MAX_RESULT_KEY, "0"));
        c.out().printf(Locale.ROOT, "embeddings collected on the driver: %d images x %d views x %d floats = %.1f MB%n",
                images, c.head().views(), dim, bytes / 1e6);
        return dim;
    }

    /** Every image's views embedded by CLIP on the executors, collected on the driver. */
    private static List<Embedded> embed(Context c, HeadLabels.Result labels) {
        JavaSparkContext jsc = c.jsc();
        Broadcast<Task> task = jsc.broadcast(new Task(c.remote(), c.clipFingerprint(), c.head(), c.local().image()));
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(c.hadoop()));
        int partitions = Math.max(1, Math.min(labels.examples().size(), 2 * jsc.defaultParallelism()));
        c.spark().sparkContext().setJobDescription(String.format(Locale.ROOT, "finetune-clip: CLIP embeddings of "
                + "%,d images", labels.examples().size()));
        try {
            return new ArrayList<>(jsc.parallelize(labels.examples(), partitions)
                    .mapPartitions(new EmbedPartition(task, conf)).collect());
        } finally {
            c.spark().sparkContext().setJobDescription(null);
        }
    }

    /** One row-major array of every view with its targets; each image's arrays are dropped once copied. */
    private static Assembled assemble(Context c, HeadLabels.Result labels, List<Embedded> embedded, int dim) {
        Map<String, HeadLabels.Example> byKey = new LinkedHashMap<>();
        labels.examples().forEach(e -> byKey.put(e.key(), e));
        List<String> errors = new ArrayList<>();
        int rows = 0;
        for (Embedded e : embedded) {
            if (e.error() != null) {
                errors.add(e.error());
            } else {
                rows += e.views().length;
            }
        }
        int[] perImage = labels.examples().stream().mapToInt(e -> e.classes().length).toArray();
        float[] x = new float[Math.multiplyExact(rows, dim)];
        float[][] y = new float[rows][];
        int row = 0;
        for (int i = 0; i < embedded.size(); i++) {
            Embedded e = embedded.set(i, null);
            if (e.error() != null) {
                continue;
            }
            float[] target = new float[c.classes().size()];
            for (int k : byKey.get(e.key()).classes()) {
                target[k] = 1;
            }
            for (float[] v : e.views()) {
                if (v.length != dim) {
                    throw new IllegalStateException("CLIP embedded " + e.key() + " in " + v.length + " floats, not "
                            + dim + " as on the driver");
                }
                System.arraycopy(v, 0, x, row * dim, dim);
                y[row++] = target;
            }
        }
        if (!errors.isEmpty()) {
            c.out().printf("%d images could not be read and were left out, e.g.:%n", errors.size());
            errors.stream().limit(5).forEach(e -> c.out().println("  " + e));
        }
        if (rows == 0) {
            throw new IllegalArgumentException("no training image could be read (" + errors.size() + " failed)");
        }
        return new Assembled(x, y, rows, dim, perImage, errors);
    }

    /** LayerNorm + Linear on the embeddings, on the driver. */
    private static ClipHeadTrainer.Result train(Context c, Assembled a, boolean multiLabel) {
        ClipHeadSettings.Train t = c.head().train();
        c.out().printf(Locale.ROOT, "training LayerNorm + Linear (%s) on %d views: AdamW lr %.3g, weight decay %.3g, "
                + "batch %d, %d epochs, cosine decay%n",
                multiLabel ? "sigmoid/BCE, multi-label" : "softmax/cross-entropy",
                a.rows(), t.learningRate(), t.weightDecay(), t.batchSize(), t.epochs());
        return ClipHeadTrainer.train(a.x(), a.dim(), a.y(), c.classes(), c.clipFingerprint(), multiLabel, t,
                e -> c.out().printf(Locale.ROOT, "  epoch %3d  loss %.5f  lr %.3g%n", e.epoch(), e.loss(),
                        e.learningRate()));
    }

    /** The head file, with how it was trained. */
    private static void write(Context c, Options o, ClipHeadTrainer.Result r, int images, int rows,
            boolean multiLabel, double accuracy) throws IOException {
        ClipHeadSettings.Train t = c.head().train();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("images", images);
        info.put("views", rows);
        info.put("multi_label", multiLabel);
        info.put("epochs", t.epochs());
        info.put("batch_size", t.batchSize());
        info.put("learning_rate", t.learningRate());
        info.put("weight_decay", t.weightDecay());
        info.put("seed", t.seed());
        info.put("views_per_image", c.head().views());
        info.put("final_loss", r.epochs().get(r.epochs().size() - 1).loss());
        info.put("training_accuracy", accuracy);
        HadoopFiles.writeAtomically(o.output(), ClipHeadFormat.toBytes(r.head(), info), c.hadoop());
        c.out().println("wrote CLIP head to " + o.output());
    }

    static final String MAX_DRIVER_MB_KEY = "pseudolabel.clip-head.max-driver-embeddings-mb";
    static final String MAX_RESULT_KEY = "spark.driver.maxResultSize";

    /** The size of CLIP's {@code image_embeds}, from one embedded blank image at CLIP's input size. */
    static int embeddingDim(ClipModel clip) {
        int[] size = clip.inputSize();
        RgbImage blank = new RgbImage(size[0], size[1], new byte[3 * size[0] * size[1]]);
        return clip.embedImages(List.of(clip.preprocess(blank)))[0].length;
    }

    /**
     * images x views x dim float32: what the driver collects; an error naming both limits' keys when it
     * exceeds {@code maxMb} MB or a set (non-zero) {@code spark.driver.maxResultSize}.
     */
    static long driverEmbeddingBytes(long images, int views, int dim, long maxMb, long maxResultSize) {
        long bytes = images * views * (long) dim * Float.BYTES;
        String how = " Train on fewer images, lower pseudolabel.clip-head.views, or raise the limit ("
                + "--conf " + MAX_DRIVER_MB_KEY + "=N, and spark.driver.maxResultSize and the driver's memory with "
                + "it).";
        String what = String.format(Locale.ROOT, "finetune-clip collects %d images x %d views x %d floats = %.1f MB "
                + "of embeddings on the driver", images, views, dim, bytes / 1e6);
        if (bytes > maxMb * 1_000_000L) {
            throw new IllegalArgumentException(what + ", more than " + MAX_DRIVER_MB_KEY + " = " + maxMb + "." + how);
        }
        if (maxResultSize > 0 && bytes > maxResultSize) {
            throw new IllegalArgumentException(what + ", more than " + MAX_RESULT_KEY + " = " + maxResultSize
                    + " bytes." + how);
        }
        return bytes;
    }

    /** Reads, decodes and embeds the views of each image of a partition with the executor's CLIP. */
    static final class EmbedPartition implements FlatMapFunction<Iterator<HeadLabels.Example>, Embedded> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<Task> task;
        private final Broadcast<SerializableConfiguration> conf;

        EmbedPartition(Broadcast<Task> task, Broadcast<SerializableConfiguration> conf) {
            this.task = task;
            this.conf = conf;
        }

        @Override
        public Iterator<Embedded> call(Iterator<HeadLabels.Example> examples) {
            Task t = task.value();
            Configuration hadoop = conf.value().value();
            RuntimeOptions runtime = t.settings().runtime().withGpuId(TaskGpus.assigned());
            LabelerSettings local = ModelLocalizer.localize(t.settings(), hadoop);
            try (ExecutorModels.Lease<ClipModel> clip = ExecutorModels.acquireClip(local.clipPath(),
                    t.clipFingerprint(), runtime)) {
                return embedAll(examples, new ViewEmbedder(clip.get(), t.head()), t, hadoop);
            }
        }

        private static Iterator<Embedded> embedAll(Iterator<HeadLabels.Example> examples, ViewEmbedder embedder,
                Task t, Configuration hadoop) {
            ImageDecoder decoder = new ImageDecoder(t.limits());
            List<Embedded> out = new ArrayList<>();
            while (examples.hasNext()) {
                HeadLabels.Example e = examples.next();
                RgbImage image;
                try {
                    image = decoder.decode(HadoopFiles.read(e.uri(), t.limits().maxFileBytes(), hadoop), e.uri());
                } catch (IOException | ImageDecodeException ex) {
                    out.add(new Embedded(e.key(), null, e.uri() + ": " + ex.getMessage()));
                    continue;
                } catch (RuntimeException ex) {
                    out.add(new Embedded(e.key(), null, e.uri() + ": cannot decode: " + ex));
                    continue;
                }
                try {
                    out.add(new Embedded(e.key(), embedder.embed(image, e.key()), null));
                } catch (RuntimeException ex) {
                    // One image's views (crop, resize, CLIP preprocessing) failing is that image's error.
                    out.add(new Embedded(e.key(), null, e.uri() + ": cannot embed the " + image.width() + "x"
                            + image.height() + " image: " + ex));
                }
            }
            return out.iterator();
        }
    }
}
