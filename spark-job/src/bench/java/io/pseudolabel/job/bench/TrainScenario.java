package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.StandaloneCluster;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.train.DistributedTrainer;
import io.pseudolabel.job.train.TrainSettings;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Scenario 6: does training scale with workers? The distributed trainer that {@code train} runs
 * ({@link DistributedTrainer}), on a real Spark standalone cluster on 127.0.0.1 ({@link StandaloneCluster}:
 * a master and two workers of one core each, their own JVMs, one executor each), on the same
 * pseudo-labels with W = 1 (one shard: one executor trains, the other idles) and W = 2. Both run in one
 * application, alternating W=1 and W=2 runs of {@value #ROUNDS} rounds, so a change in machine load hits
 * both alike and each pair gives its own ratio; one W=2 round first warms both executors (JVM, libtorch,
 * JIT) and is not timed. Samples/s = samples of a run's rounds / their wall time (broadcast, local steps,
 * treeAggregate, averaging and checkpoint: everything a round of {@code train} does).
 */
final class TrainScenario {
    static final String ID = "train";
    static final double BUDGET = 1.6;
    static final int ROUNDS = 2;
    static final int LOCAL_STEPS = 10;

    private final Bench.Options options;
    private final Config base;
    private final Path work;

    TrainScenario(Bench.Options options, Config base, Path work) {
        this.options = options;
        this.base = base;
        this.work = work;
    }

    List<BenchRow> run() throws Exception {
        int n = options.imagesOr(16);
        Path voc = Datasets.voc(work.resolve("voc-train-320x240-1obj"), new Datasets.Spec(n, 1, 320, 240, 1), n);
        Path project = project();
        Path dir = work.resolve("train-cluster");
        Datasets.deleteTree(dir);
        Files.createDirectories(dir);
        // The servers boot while the pseudo-labels are made in local[2].
        try (StandaloneCluster cluster = StandaloneCluster.launch(dir, List.of("", ""), 1536, project)) {
            Config config = BenchSpark.cheapestSam(BenchSpark.labelConfig(base, options.models(), voc, "n" + n,
                    Supervision.BOXES, 1, 1), options.models());
            String labels;
            SparkSession local = BenchSpark.start("local[2]");
            try {
                labels = LabelJob.run(local, config, new LabelJob.Options(voc.toString(),
                        dir.resolve("labels").toString(), "train", false), BenchSpark.quiet()).labelsDir();
            } finally {
                local.stop();
                SparkSession.clearActiveSession();
                SparkSession.clearDefaultSession();
            }
            List<String> classes = Files.readAllLines(voc.resolve("classes.txt")).stream().filter(s -> !s.isBlank())
                    .toList();
            cluster.awaitWorkers();
            long t0 = System.nanoTime();
            SparkSession spark = session(cluster);
            try {
                double startSeconds = (System.nanoTime() - t0) / 1e9;
                TrainSettings s = TrainSettings.from(base, classes.size() + 1);
                train(spark, s.with(1, LOCAL_STEPS, 2), classes, labels, dir.resolve("warmup")); // both executors
                int reps = options.repeats();
                double[] one = new double[reps];
                double[] two = new double[reps];
                double[] ratio = new double[reps];
                Run[][] runs = new Run[reps][3];
                for (int r = 0; r < reps; r++) {
                    // W=1 first in even repeats, W=2 first in odd ones
                    for (int w : r % 2 == 0 ? new int[] {1, 2} : new int[] {2, 1}) {
                        Run run = train(spark, s.with(ROUNDS, LOCAL_STEPS, w), classes, labels,
                                dir.resolve("model-r" + r + "-w" + w));
                        runs[r][w] = run;
                        double rate = run.samplesPerSecond();
                        if (w == 1) {
                            one[r] = rate;
                        } else {
                            two[r] = rate;
                        }
                    }
                    ratio[r] = two[r] / one[r];
                }
                String how = String.format(Locale.ROOT, "standalone master + 2 workers on 127.0.0.1, 1 core each, "
                        + "one application; %d pseudo-labelled 320x240 scenes, DeepLabV3+ ResNet-%d, crop %d, batch %d "
                        + "per worker, %d local steps x %d rounds per run, W=1/W=2 runs alternating, x%d",
                        n, s.segmenter().depth(), s.segmenter().cropSize(), s.segmenter().batchSize(), LOCAL_STEPS,
                        ROUNDS, reps) + "; pairs " + Arrays.stream(ratio)
                        .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).collect(
                                Collectors.joining(", "));
                List<BenchRow> rows = new ArrayList<>();
                rows.add(BenchRow.atLeast(ID, "samples/s, 2 workers / 1 worker (standalone cluster, 1 core each)",
                        Stats.median(ratio), "x", BUDGET, how));
                rows.add(BenchRow.info(ID, "  samples/s, W=1", Stats.median(one), "", "median over runs"));
                rows.add(BenchRow.info(ID, "  samples/s, W=2", Stats.median(two), "", String.format(Locale.ROOT,
                        "median over runs; executors registered %.1f s after the application started", startSeconds)));
                double[][] stepMs = new double[3][reps];
                for (int w = 1; w <= 2; w++) {
                    double[] busy = new double[reps];
                    double[] gc = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        TaskTimes t = runs[r][w].tasks();
                        stepMs[w][r] = (double) t.runMs / Math.max(1, t.tasks) / LOCAL_STEPS;
                        busy[r] = t.runMs / 1000.0 / w / runs[r][w].roundSeconds();
                        gc[r] = t.gcMs;
                    }
                    rows.add(BenchRow.info(ID, "  executor ms per local step, W=" + w, Stats.median(stepMs[w]), "ms",
                            String.format(Locale.ROOT, "task run time / tasks / %d steps (weights in, steps, weights "
                                    + "out); executors busy %.0f%% of the rounds' wall; GC %.0f ms per run", LOCAL_STEPS,
                                    100 * Stats.median(busy), Stats.median(gc))));
                }
                double[] ceiling = new double[reps];
                for (int r = 0; r < reps; r++) {
                    ceiling[r] = 2 * stepMs[1][r] / stepMs[2][r];
                }
                rows.add(BenchRow.info(ID, "  ceiling: 2 x step time W=1 / step time W=2", Stats.median(ceiling), "x",
                        "the ratio if rounds had no driver or Spark time: what two trainers side by side on this "
                                + "machine's two cores allow"));
                return rows;
            } finally {
                spark.stop();
                SparkSession.clearActiveSession();
                SparkSession.clearDefaultSession();
            }
        }
    }

    /** The checkout whose build the cluster's JVMs run: {@code pseudolabel.home}, else here or the parent (tests). */
    static Path project() {
        String home = System.getProperty("pseudolabel.home");
        List<Path> candidates = home != null ? List.of(Path.of(home)) : List.of(Path.of("."), Path.of(".."));
        for (Path p : candidates) {
            if (Files.isRegularFile(p.resolve("spark-job/target/runtime-classpath.txt"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("bench train: no spark-job/target/runtime-classpath.txt under " + candidates
                + "; build first (mvn install, or ./pseudolabel)");
    }

    /** An application with one executor of one core on each worker, both registered. */
    private static SparkSession session(StandaloneCluster cluster) throws Exception {
        SparkSession spark = SparkSession.builder().master(cluster.masterUrl()).appName("pseudolabel bench train")
                .config("spark.jars", String.join(",", cluster.applicationJars()))
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.memory", "768m").config("spark.executor.cores", "1")
                .config("spark.cores.max", "2")
                .config("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true")
                .config("spark.executorEnv.ONEDNN_MAX_CPU_ISA", "AVX2")
                .config("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE")
                .config("spark.executorEnv.TORCH_CPP_LOG_LEVEL", "ERROR")
                // "1 core each": libtorch would otherwise start a thread per machine core in every worker.
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.executorEnv.MKL_NUM_THREADS", "1")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        long deadline = System.currentTimeMillis() + 180_000;
        // both executors registered (the driver counts too), so no round runs on fewer
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) {
            if (System.currentTimeMillis() > deadline) {
                spark.stop();
                throw new IllegalStateException("bench train: two executors did not register\n" + cluster.logTail());
            }
            Thread.sleep(200);
        }
        return spark;
    }

    /**
     * What one training run's round tasks cost on the executors: run time (of which JVM GC) summed over the
     * tasks, and how many; the rest of a round's wall is the driver's and Spark's.
     */
    private static final class TaskTimes extends SparkListener {
        long runMs;
        long gcMs;
        int tasks;
        private final Set<Integer> roundStages = new HashSet<>();

        @Override
        public synchronized void onStageSubmitted(SparkListenerStageSubmitted e) {
            if (e.stageInfo().name().startsWith("treeAggregate")) { // a round; not the shards' decoding
                roundStages.add(e.stageInfo().stageId());
            }
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
            if (e.taskMetrics() != null && e.taskInfo().successful() && roundStages.contains(e.stageId())) {
                runMs += e.taskMetrics().executorRunTime();
                gcMs += e.taskMetrics().jvmGCTime();
                tasks++;
            }
        }
    }

    /** One training run: samples/s over its rounds, and its round tasks' executor times. */
    private record Run(double samplesPerSecond, double roundSeconds, TaskTimes tasks) {}

    private Run train(SparkSession spark, TrainSettings settings, List<String> classes, String labels,
            Path out) throws IOException {
        TaskTimes times = new TaskTimes();
        spark.sparkContext().addSparkListener(times);
        DistributedTrainer.Result r;
        try {
            r = DistributedTrainer.train(spark, settings, classes, labels, null, out.toString(),
                    ImageLimits.from(base), BenchSpark.quiet());
            spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Spark listener bus did not drain", e);
        } finally {
            spark.sparkContext().removeSparkListener(times);
        }
        double seconds = 0;
        long samples = 0;
        for (int i = 0; i < r.roundSeconds().size(); i++) {
            seconds += r.roundSeconds().get(i);
            samples += r.roundSamples().get(i);
        }
        return new Run(samples / seconds, seconds, times);
    }
}
