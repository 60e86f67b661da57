package io.pseudolabel.job.bench;

import com.sun.management.OperatingSystemMXBean;
import com.typesafe.config.Config;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.label.LabelPartition;
import io.pseudolabel.labeler.LabelResult;
import io.pseudolabel.labeler.PseudoLabeler;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Scenario 3: what Spark costs. {@code label} in {@code local[2]} against a plain in-process loop over the
 * same images with the same models: two threads taking images from a shared counter, each reading the file,
 * hashing it, {@code prepare} and {@code label} (what a user would write without Spark on the same two
 * cores; results are dropped, the job writes Parquet). The cheapest path: given boxes (SAM only), 320x240
 * scenes with one object, one ONNX Runtime thread per session. Ratio = job wall / loop wall, for the job's
 * default settings; the same job with two preparation threads per task is reported beside it.
 */
final class SparkScenario {
    static final String ID = "spark";
    static final double BUDGET = 1.15;

    private final Bench.Options options;
    private final Config base;
    private final Path voc;
    private final Path work;
    private final int images;

    SparkScenario(Bench.Options options, Config base, Path voc, Path work, int images) {
        this.options = options;
        this.base = base;
        this.voc = voc;
        this.work = work;
        this.images = images;
    }

    List<BenchRow> run(SparkSession spark) throws IOException {
        int n = images;
        // The job as it runs by default (prepare-threads auto: here 0, the one ORT thread fills the task's core,
        // so the task thread prepares), and with two preparation threads per task, each against the same loop.
        Config pooled = BenchSpark.cheapestSam(
                BenchSpark.labelConfig(base, options.models(), voc, "n" + n, Supervision.BOXES, 1, 2), options.models());
        Config config = BenchSpark.with(pooled, Map.of("pseudolabel.job.prepare-threads", "auto"));
        ExecutorModels.clear();
        BenchSpark.LeasedLabeler leased = BenchSpark.labeler(config);
        PseudoLabeler labeler = leased.labeler();
        List<ImageRef> refs = LoopInputs.refs(voc, "n" + n, true);
        Path out = work.resolve("spark-runs");
        Datasets.deleteTree(out);
        loop(labeler, refs.subList(0, Math.min(4, n))); // warm-up
        BenchSpark.label(spark, BenchSpark.with(config, Map.of("pseudolabel.job.split", "n2")), voc, out,
                "warmup");
        int reps = options.sparkRepeats();
        double[] loopMs = new double[reps];
        double[] jobMs = new double[reps];
        double[] stageMs = new double[reps];
        double[] ratio = new double[reps];
        double[] pooledRatio = new double[reps];
        double[] loopCpuMs = new double[reps];
        double[] jobCpuMs = new double[reps];
        long errors = 0;
        for (int r = 0; r < reps; r++) {
            // The loop between the two jobs, which swap places every repeat: a job run right after another
            // one finds more of Spark's code compiled, so neither job is always the second.
            boolean defaultFirst = r % 2 == 0;
            Job first = job(spark, defaultFirst ? config : pooled, out, (defaultFirst ? "r" : "p") + r);
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            errors += loop(labeler, refs);
            loopMs[r] = Stats.millis(System.nanoTime() - t0);
            loopCpuMs[r] = Stats.millis(processCpuNanos() - c0);
            Job second = job(spark, defaultFirst ? pooled : config, out, (defaultFirst ? "p" : "r") + r);
            Job job = defaultFirst ? first : second;
            Job pooledJob = defaultFirst ? second : first;
            BenchSpark.LabelRun run = job.run();
            jobCpuMs[r] = job.cpuMs();
            errors += job.errors() + pooledJob.errors();
            jobMs[r] = run.jobMs();
            stageMs[r] = run.stageMs();
            ratio[r] = jobMs[r] / loopMs[r];
            pooledRatio[r] = pooledJob.run().jobMs() / loopMs[r];
        }
        leased.close();
        ExecutorModels.clear();
        List<BenchRow> rows = new ArrayList<>();
        String how = n + " scenes 320x240, 1 object, supervision boxes (SAM only, sam-chw), local[2] vs 2 loop threads, "
                + "1 ORT thread per session, prepare-threads auto (the default; here 0: the task's thread prepares), x" + reps
                + (reps > 1 ? "; pairs " + pairs(ratio) : "") + (errors > 0 ? "; " + errors + " errors!" : "")
                + (n < 300 ? "; fewer than the 300 images the issue asks for" : "");
        rows.add(BenchRow.atMost(ID, "label local[2] wall / plain loop wall", Stats.median(ratio), "", BUDGET, how));
        rows.add(BenchRow.info(ID, "  with 2 preparation threads per task: wall / loop", Stats.median(pooledRatio), "",
                "prepare-threads 2, the old default: here the threads take turns with the models on the same two "
                        + "cores" + (reps > 1 ? "; pairs " + pairs(pooledRatio) : "")));
        rows.add(BenchRow.info(ID, "  label job per image", Stats.median(jobMs) / n, "ms",
                "whole LabelJob.run: list + XML boxes, label, Parquet, manifest, counts"));
        rows.add(BenchRow.info(ID, "  plain loop per image", Stats.median(loopMs) / n, "ms",
                "read + sha256 + prepare + label, 2 threads"));
        double[] stageRatio = new double[reps];
        for (int r = 0; r < reps; r++) {
            stageRatio[r] = stageMs[r] / loopMs[r];
        }
        rows.add(BenchRow.info(ID, "  labelling stage wall / plain loop wall", Stats.median(stageRatio), "",
                "without the driver's listing and bookkeeping"));
        rows.add(BenchRow.info(ID, "  process CPU per image, job / loop", Stats.median(jobCpuMs) / Stats.median(loopCpuMs),
                "", String.format(Locale.ROOT, "%.1f vs %.1f ms of CPU per image, every thread of this JVM "
                        + "(JIT and GC included); wall x 2 cores: %.1f vs %.1f ms", Stats.median(jobCpuMs) / n,
                        Stats.median(loopCpuMs) / n, 2 * Stats.median(jobMs) / n, 2 * Stats.median(loopMs) / n)));
        return rows;
    }

    private static String pairs(double[] ratios) {
        return Arrays.stream(ratios).mapToObj(x -> String.format(Locale.ROOT, "%.2f", x))
                .collect(Collectors.joining(", "));
    }

    /** One label job of a pair, with the process CPU it took. */
    private record Job(BenchSpark.LabelRun run, double cpuMs) {
        long errors() {
            return run.labelled() - run.counts().getOrDefault("OK", 0L);
        }
    }

    private Job job(SparkSession spark, Config config, Path out, String runId) throws IOException {
        long c0 = processCpuNanos();
        BenchSpark.LabelRun run = BenchSpark.label(spark, config, voc, out, runId);
        return new Job(run, Stats.millis(processCpuNanos() - c0));
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Two threads over the images; returns how many failed. */
    private static long loop(PseudoLabeler labeler, List<ImageRef> refs) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        Configuration conf = new Configuration();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < refs.size(); i = next.getAndIncrement()) {
                var input = LoopInputs.read(refs.get(i), conf);
                LabelPartition.sha256(input.bytes());
                LabelResult r = labeler.label(List.of(labeler.prepare(input))).get(0);
                if (!r.ok()) {
                    failed.incrementAndGet();
                }
            }
        };
        Thread a = new Thread(worker, "bench-loop-1");
        Thread b = new Thread(worker, "bench-loop-2");
        a.start();
        b.start();
        try {
            a.join();
            b.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return failed.get();
    }
}
