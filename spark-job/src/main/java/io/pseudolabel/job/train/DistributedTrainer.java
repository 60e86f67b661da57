package io.pseudolabel.job.train;

import ai.djl.Device;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.executor.TaskGpus;
import io.pseudolabel.onnx.NativeCalls;
import io.pseudolabel.segmenter.BackboneWeights;
import io.pseudolabel.segmenter.Safetensors;
import io.pseudolabel.segmenter.Sample;
import io.pseudolabel.segmenter.SegmenterConfig;
import io.pseudolabel.segmenter.SegmenterTrainer;
import io.pseudolabel.segmenter.SegmenterWeights;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * DeepLabV3+ trained over Spark executors in synchronous rounds: the driver broadcasts the weights and
 * optimizer state, each of W partitions trains K steps on its shard, {@code treeAggregate} sums the
 * results, the driver averages them and checkpoints. Only Spark moves weights. A retried task redoes its
 * shard's K steps from the same broadcast with the same seed, so a retry never corrupts a round.
 */
public final class DistributedTrainer {
    private DistributedTrainer() {}

    /**
     * What training produced.
     *
     * @param roundSeconds wall time of each round this run trained (broadcast, train, aggregate, checkpoint)
     * @param roundSamples samples trained in each of those rounds
     */
    public record Result(String modelDir, int rounds, List<Double> losses, double samplesPerSecond, long millis,
            int resumedFrom, List<Double> roundSeconds, List<Long> roundSamples) {}

    /** Where training starts: a checkpoint's weights, optimizer state and losses, or a new initialisation. */
    private static final class State {
        SegmenterWeights weights;
        SegmenterWeights optimizer;
        final List<Double> losses = new ArrayList<>();
        int firstRound = 1;
        long seen;
        Map<String, Object> initialisation;
    }

    /** What the rounds of this run did. */
    private record Rounds(long trainedSamples, double seconds, List<Double> roundSeconds, List<Long> roundSamples) {}

    /** resume (or initialise), then the rounds, then the model. */
    public static Result train(SparkSession spark, TrainSettings settings, List<String> classNames, String labels,
            String imagesRoot, String output, ImageLimits limits, PrintStream out) throws IOException {
        long start = System.currentTimeMillis();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        // Initial weights before the images are read and decoded: a wrong checkpoint or backbone file fails at once.
        State state = resume(settings, Checkpoints.Labels.of(labels, classNames), output, conf, out);
        JavaRDD<Sample> shards = shards(spark, jsc, settings, labels, imagesRoot, limits, out);
        Rounds done = rounds(spark, jsc, settings, shards, state, output, conf, out);
        shards.unpersist(false);
        String modelDir = HadoopFiles.child(output, "model");
        saveModel(modelDir, settings, classNames, state.weights, state.initialisation, conf);
        return new Result(modelDir, settings.rounds(), state.losses,
                done.seconds() > 0 ? done.trainedSamples() / done.seconds() : 0, System.currentTimeMillis() - start,
                state.firstRound - 1, done.roundSeconds(), done.roundSamples());
    }

    /** The newest checkpoint under {@code output} (same architecture and labels), else a new initialisation. */
    private static State resume(TrainSettings settings, Checkpoints.Labels trainedOn, String output,
            Configuration conf, PrintStream out) throws IOException {
        State s = new State();
        Optional<Checkpoints.Loaded> resume = Checkpoints.latest(output, conf);
        if (resume.isPresent()) {
            Checkpoints.checkResume(output, trainedOn, conf);
            Checkpoints.Loaded c = resume.get();
            // The architecture must match; the schedule may change (e.g. more rounds after a finished run).
            if (!c.state().segmenterConfig().equals(architecture(settings))) {
                throw new IllegalArgumentException("checkpoint under " + Checkpoints.dir(output) + " holds a "
                        + c.state().segmenterConfig() + ", not a " + architecture(settings) + "; use a new --output");
            }
            s.weights = c.weights();
            s.optimizer = c.optimizer();
            s.losses.addAll(c.state().losses());
            s.firstRound = c.state().round() + 1;
            s.seen = c.state().samples();
            s.initialisation = readInitialisation(output, conf);
            out.printf("train: resuming after round %d from %s%n", c.state().round(), Checkpoints.dir(output));
            if (!settings.backboneWeights().isEmpty()) {
                out.printf("train: the checkpoint's weights are used; backbone weights %s only initialise a new run%n",
                        settings.backboneWeights());
            }
            return s;
        }
        try (SegmenterTrainer init = new SegmenterTrainer(settings.segmenter())) {
            s.initialisation = settings.backboneWeights().isEmpty() ? randomInitialisation(settings)
                    : loadBackbone(init, settings.backboneWeights(), conf, out);
            s.weights = init.snapshot();
            s.optimizer = init.optimizerSnapshot();
        }
        writeInitialisation(output, s.initialisation, conf);
        Checkpoints.saveLabels(output, trainedOn, conf);
        return s;
    }

    /** The OK rows with their images, decoded once into one shard per worker (cached); what was left out is said. */
    private static JavaRDD<Sample> shards(SparkSession spark, JavaSparkContext jsc, TrainSettings settings,
            String labels, String imagesRoot, ImageLimits limits, PrintStream out) {
        CollectionAccumulator<String> skipped = jsc.sc().collectionAccumulator("training images left out");
        JavaRDD<Sample> shards = TrainingData.shards(spark, labels, imagesRoot, settings.workers(), limits, skipped);
        long samples = shards.count();
        List<String> left = skipped.value();
        if (!left.isEmpty()) {
            out.printf("train: %d image(s) left out:%n", left.size());
            left.stream().sorted().limit(20).forEach(e -> out.println("  " + e));
        }
        if (samples == 0) {
            throw new IllegalArgumentException("no OK rows with labels in " + labels + " to train on");
        }
        out.printf("train: %d pseudo-labelled images in %d shards, %d rounds x %d local steps x batch %d%n", samples,
                settings.workers(), settings.rounds(), settings.localSteps(), settings.segmenter().batchSize());
        return shards;
    }

    /** The synchronous rounds: broadcast, K local steps per worker, average, checkpoint. */
    private static Rounds rounds(SparkSession spark, JavaSparkContext jsc, TrainSettings settings,
            JavaRDD<Sample> shards, State state, String output, Configuration conf, PrintStream out)
            throws IOException {
        long trainStart = System.nanoTime();
        long trainedSamples = 0;
        List<Double> roundSeconds = new ArrayList<>();
        List<Long> roundSamples = new ArrayList<>();
        for (int round = state.firstRound; round <= settings.rounds(); round++) {
            long t0 = System.nanoTime();
            RoundSum sum = round(spark, jsc, settings, shards, state, round);
            state.weights = sum.weights.mean();
            state.optimizer = sum.optimizer.count() > 0 ? sum.optimizer.mean() : state.optimizer;
            double loss = sum.lossSum / sum.workers;
            state.losses.add(loss);
            state.seen += sum.samples;
            trainedSamples += sum.samples;
            Checkpoints.save(output, new Checkpoints.State(round, state.losses, state.seen, architecture(settings)),
                    state.weights, state.optimizer, conf);
            Checkpoints.prune(output, settings.keepCheckpoints(), conf, out);
            roundSeconds.add((System.nanoTime() - t0) / 1e9);
            roundSamples.add(sum.samples);
            double elapsed = (System.nanoTime() - trainStart) / 1e9;
            double rate = trainedSamples / elapsed;
            double eta = (settings.rounds() - round) * (elapsed / (round - state.firstRound + 1));
            out.printf(Locale.ROOT, "train round %d/%d: loss %.4f, %.1f samples/s, round %.1f s, ETA %.0f s%n", round,
                    settings.rounds(), loss, rate, (System.nanoTime() - t0) / 1e9, eta);
        }
        return new Rounds(trainedSamples, (System.nanoTime() - trainStart) / 1e9, roundSeconds, roundSamples);
    }

    /** One round on the executors: each worker trains its shard from the broadcast weights; the sum comes back. */
    private static RoundSum round(SparkSession spark, JavaSparkContext jsc, TrainSettings settings,
            JavaRDD<Sample> shards, State state, int round) {
        Broadcast<SegmenterWeights> w = jsc.broadcast(state.weights);
        Broadcast<SegmenterWeights> o = jsc.broadcast(state.optimizer);
        spark.sparkContext().setJobDescription(String.format(Locale.ROOT,
                "train: round %d of %d (%d workers x %d steps)", round, settings.rounds(), settings.workers(),
                settings.localSteps()));
        RoundSum sum = shards.mapPartitions(it -> {
            List<Sample> shard = new ArrayList<>();
            it.forEachRemaining(shard::add);
            if (shard.isEmpty()) {
                return Collections.<RoundSum>emptyIterator();
            }
            int partition = TaskContext.getPartitionId();
            try (SegmenterTrainer trainer = newTrainer(settings.segmenter())) {
                trainer.load(w.value());
                if (o.value().size() > 0) {
                    trainer.loadOptimizerState(o.value());
                }
                Random rnd = new Random(settings.seed() * 1_000_003L + round * 7919L + partition);
                float loss = NativeCalls.run("segmenter training",
                        () -> trainer.trainSteps(shard, settings.localSteps(), rnd));
                return List.of(new RoundSum().add(trainer.snapshot(), trainer.optimizerSnapshot(), loss,
                        (long) settings.localSteps() * settings.segmenter().batchSize())).iterator();
            }
        }).treeAggregate(new RoundSum(), RoundSum::merge, RoundSum::merge, 2);
        spark.sparkContext().setJobDescription(null);
        w.destroy();
        o.destroy();
        if (sum.workers == 0) {
            throw new IllegalStateException("round " + round + ": no worker had samples");
        }
        return sum;
    }

    /** A trainer on the GPU Spark assigned to this task, or on the engine's default device when none was. */
    static SegmenterTrainer newTrainer(SegmenterConfig config) {
        int gpu = TaskGpus.assigned();
        return gpu >= 0 ? new SegmenterTrainer(config, Device.gpu(gpu)) : new SegmenterTrainer(config);
    }

    /** The fields that fix parameter names and shapes: a checkpoint resumes only into the same ones. */
    static String architecture(TrainSettings settings) {
        var s = settings.segmenter();
        return String.format(Locale.ROOT, "ResNet-%d DeepLabV3+ classes=%d base=%d aspp=%d low-level=%d decoder=%d",
                s.depth(), s.numClasses(), s.baseChannels(), s.asppChannels(), s.lowLevelChannels(),
                s.decoderChannels());
    }

    /**
     * Reads a torchvision/timm ResNet safetensors file once on the driver (local, hdfs: or s3a:) and puts it into
     * {@code init}'s backbone; the weights then reach the executors in the first round's broadcast, as every
     * round's do, so executors never need access to the file.
     */
    static Map<String, Object> loadBackbone(SegmenterTrainer init, String uri, Configuration conf, PrintStream out)
            throws IOException {
        if (!HadoopFiles.exists(uri, conf)) {
            throw new IllegalArgumentException("backbone weights not found: " + uri);
        }
        byte[] bytes;
        try {
            bytes = HadoopFiles.read(uri, conf);
        } catch (IOException e) {
            throw new IOException("cannot read backbone weights " + uri + ": " + e.getMessage(), e);
        }
        BackboneWeights.Loaded loaded = init.loadBackbone(Safetensors.read(bytes, uri));
        out.println("train: " + loaded.summary(uri));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backbone_weights", uri);
        m.put("sha256", sha256(bytes));
        m.put("tensors_loaded", loaded.loaded());
        return m;
    }

    private static Map<String, Object> randomInitialisation(TrainSettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backbone_weights", null);
        m.put("seed", settings.segmenter().seed());
        return m;
    }

    private static String initialisationFile(String output) {
        return HadoopFiles.child(Checkpoints.dir(output), "initialisation.json");
    }

    /** Where a run's weights came from, kept beside its checkpoints so that a resumed run still knows. */
    private static void writeInitialisation(String output, Map<String, Object> m, Configuration conf)
            throws IOException {
        HadoopFiles.writeAtomically(initialisationFile(output), new GsonBuilder().serializeNulls().setPrettyPrinting()
                .create().toJson(m).getBytes(StandardCharsets.UTF_8), conf);
    }

    private static Map<String, Object> readInitialisation(String output, Configuration conf) throws IOException {
        String f = initialisationFile(output);
        if (!HadoopFiles.exists(f, conf)) {
            return null; // checkpoints written before this file existed
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new Gson().fromJson(HadoopFiles.readString(f, conf), Map.class);
        return m;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The trained model: {@code model.safetensors} (documented tensor names, see {@link WeightFiles}) plus
     * {@code segmenter.json} with the architecture and training settings, the class names, the weights' file
     * name and where the weights were initialised from.
     */
    static void saveModel(String dir, TrainSettings settings, List<String> classNames, SegmenterWeights weights,
            Map<String, Object> initialisation, Configuration conf) throws IOException {
        WeightFiles.write(dir, WeightFiles.MODEL, weights, WeightFiles.metadata("model", architecture(settings)), conf);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("segmenter", settings.segmenter());
        meta.put("classes", classNames);
        meta.put("weights", WeightFiles.MODEL);
        meta.put("initialisation", initialisation);
        HadoopFiles.writeAtomically(HadoopFiles.child(dir, "segmenter.json"), new GsonBuilder().serializeNulls()
                .setPrettyPrinting().create().toJson(meta).getBytes(StandardCharsets.UTF_8), conf);
    }
}
