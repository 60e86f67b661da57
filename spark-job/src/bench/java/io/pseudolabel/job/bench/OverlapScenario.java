package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.labeler.LabelResult;
import io.pseudolabel.labeler.Prepared;
import io.pseudolabel.labeler.PseudoLabeler;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 2: does preprocessing hide behind inference? The fixture models with ~100 ms of extra compute
 * per graph run ({@code fixtures/models-slow}, from {@code make_fixtures.py --slow}), no supervision (CLIP,
 * Grounding-DINO, SAM), {@code label} in {@code local[1]} with one ONNX Runtime thread and a one-thread
 * preparation pool. Model time is measured in the same run: the same labeller on the same, already
 * prepared images, in a plain loop, one batch at a time (inference plus the post-processing that runs on
 * the inference thread). Ratio = images x model time per image / wall of the labelling stage.
 */
final class OverlapScenario {
    static final String ID = "overlap";
    static final double BUDGET = 0.9;

    private final Bench.Options options;
    private final Config base;
    private final Path work;

    OverlapScenario(Bench.Options options, Config base, Path work) {
        this.options = options;
        this.base = base;
        this.work = work;
    }

    List<BenchRow> run() throws IOException {
        // 16, not 8: a stage's fixed cost (task launch, Parquet writer open and commit) was ~5% of 8 images.
        int n = options.imagesOr(16);
        Path slow = options.models().resolveSibling("models-slow");
        Path voc = Datasets.voc(work.resolve("voc-640x480-3obj"), new Datasets.Spec(n, 1, 640, 480, 3), 2, n);
        // One partition: the loop below then makes the same CLIP batches (a graph run costs per call, not per image).
        Config config = BenchSpark.with(BenchSpark.labelConfig(base, slow, voc, "n" + n, Supervision.NONE, 1, 1),
                Map.of("pseudolabel.job.partitions", 1));
        int batch = config.getInt("pseudolabel.job.batch-size");
        ExecutorModels.clear();
        BenchSpark.LeasedLabeler leased = BenchSpark.labeler(config);
        PseudoLabeler labeler = leased.labeler();

        // Model time, in-process: prepare everything first, then time only label(batch).
        Configuration conf = new Configuration();
        List<ImageRef> refs = LoopInputs.refs(voc, "n" + n, false);
        List<Prepared> prepared = new ArrayList<>();
        for (ImageRef ref : refs) {
            prepared.add(labeler.prepare(LoopInputs.read(ref, conf))); // also warms the code up
        }
        prepared.clear();
        long p0 = CpuScenario.cpu();
        for (ImageRef ref : refs) {
            prepared.add(labeler.prepare(LoopInputs.read(ref, conf)));
        }
        double prepMs = Stats.millis(CpuScenario.cpu() - p0) / n;
        labelAll(labeler, prepared.subList(0, Math.min(2, n)), batch); // warm-up

        SparkSession spark = BenchSpark.start("local[1]");
        try {
            Path out = work.resolve("overlap-runs");
            Datasets.deleteTree(out);
            BenchSpark.label(spark, BenchSpark.with(config, Map.of("pseudolabel.job.split", "n2")), voc, out,
                    "warmup");
            // Loop and job alternate (loop first in even repeats), so a change in machine load hits both alike;
            // each repeat's ratio uses its own pair.
            int reps = options.repeats();
            double[] ratio = new double[reps];
            double[] modelMs = new double[reps];
            double[] stage = new double[reps];
            double[] job = new double[reps];
            long errors = 0;
            for (int r = 0; r < reps; r++) {
                BenchSpark.LabelRun run = null;
                if (r % 2 == 1) {
                    run = BenchSpark.label(spark, config, voc, out, "r" + r);
                }
                long t0 = System.nanoTime();
                labelAll(labeler, prepared, batch);
                modelMs[r] = Stats.millis(System.nanoTime() - t0) / n;
                if (run == null) {
                    run = BenchSpark.label(spark, config, voc, out, "r" + r);
                }
                errors += run.labelled() - run.counts().getOrDefault("OK", 0L);
                stage[r] = run.stageMs();
                job[r] = run.jobMs();
                ratio[r] = n * modelMs[r] / run.stageMs();
            }
            double model = Stats.median(modelMs);
            if (ExecutorModels.open() != 1) { // the loop's set, cleared before it loaded
                throw new IllegalStateException("bench overlap: the job loaded its own models, so the loop and the "
                        + "job did not share them");
            }
            List<BenchRow> rows = new ArrayList<>();
            String how = n + " scenes 640x480, 3 objects, supervision none, fixtures/models-slow, local[1], "
                    + "1 ORT thread, 1 prepare thread, 1 partition, batch " + batch + (errors > 0 ? "; " + errors + " errors!" : "");
            rows.add(BenchRow.atLeast(ID, "(images x model time) / labelling-stage wall", Stats.median(ratio), "",
                    BUDGET, how));
            rows.add(BenchRow.info(ID, "  model time per image (in-process loop, same run)", model, "ms",
                    "label(batch) on prepared images: inference + post-processing on the inference thread"));
            rows.add(BenchRow.info(ID, "  labelling stage wall per image", Stats.median(stage) / n, "ms",
                    "longest Spark stage of the run (list, label, write Parquet)"));
            rows.add(BenchRow.info(ID, "  preprocessing per image (decode + 3 processors)", prepMs, "ms",
                    "thread CPU, 1 thread"));
            double[] jobRatio = new double[reps];
            for (int r = 0; r < reps; r++) {
                jobRatio[r] = n * modelMs[r] / job[r];
            }
            rows.add(BenchRow.info(ID, "  (images x model time) / whole-job wall", Stats.median(jobRatio), "",
                    "whole LabelJob.run incl. listing, CLIP text side, inputs table, manifest"));
            return rows;
        } finally {
            spark.stop();
            leased.close();
            ExecutorModels.clear();
        }
    }

    private static void labelAll(PseudoLabeler labeler, List<Prepared> prepared, int batch) {
        for (int i = 0; i < prepared.size(); i += batch) {
            List<LabelResult> results = labeler.label(prepared.subList(i, Math.min(prepared.size(), i + batch)));
            for (LabelResult r : results) {
                if (!r.ok()) {
                    throw new IllegalStateException("bench overlap: " + r.uri() + " failed: " + r.error());
                }
            }
        }
    }
}
