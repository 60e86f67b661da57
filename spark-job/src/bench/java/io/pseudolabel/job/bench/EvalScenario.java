package io.pseudolabel.job.bench;

import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Scenario 5: evaluation. The confusion-matrix kernel ({@link ConfusionMatrix#add}) in million pixels per
 * second on one core (thread CPU time, 640x480 maps, 21 classes, 5% ignore), and the whole {@code eval}
 * job ({@link EvalJob}: read the label table, decode both PNGs, add, {@code treeAggregate}) over a table
 * of {@code maps} label maps against the VOC ground truth, in {@code local[2]}.
 */
final class EvalScenario {
    static final String ID = "eval";
    static final double KERNEL_BUDGET = 200;

    private final Bench.Options options;
    private final Path voc;
    private final Path work;
    private final int maps;
    private final Datasets.Spec spec;
    private final ImageLimits limits;

    EvalScenario(Bench.Options options, Path voc, Datasets.Spec spec, Path work, int maps,
            ImageLimits limits) {
        this.limits = limits;
        this.options = options;
        this.voc = voc;
        this.spec = spec;
        this.work = work;
        this.maps = maps;
    }

    List<BenchRow> run(SparkSession spark) throws IOException {
        List<BenchRow> rows = new ArrayList<>();
        rows.add(BenchRow.atLeast(ID, "confusion-matrix kernel, 1 core", kernel(), "Mpx/s", KERNEL_BUDGET,
                "ConfusionMatrix.add, 640x480, 21 classes, 5% ignore; thread CPU; median of " + 5 * options.repeats()
                        + " runs of 20 maps"));
        Path table = predictions(spark);
        List<String> classes = Files.readAllLines(voc.resolve("classes.txt")).stream().filter(s -> !s.isBlank())
                .toList();
        EvalJob.labelsAgainstVoc(spark, table.toString(), voc.toString(), classes, limits); // warm-up
        double[] seconds = new double[options.repeats()];
        EvalResult result = null;
        for (int r = 0; r < seconds.length; r++) {
            long t0 = System.nanoTime();
            result = EvalJob.labelsAgainstVoc(spark, table.toString(), voc.toString(), classes, limits);
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        double s = Stats.median(seconds);
        rows.add(BenchRow.info(ID, "eval job over " + maps + " label maps", s, "s",
                String.format(Locale.ROOT, "%.0f maps/s, local[2], %dx%d maps, %d images scored, mIoU %.3f",
                        maps / s, spec.width(), spec.height(), result.numImages(), result.miou())));
        return rows;
    }

    private double kernel() {
        int w = 640, h = 480, classes = 21;
        SplittableRandom rnd = new SplittableRandom(3);
        byte[][] gt = new byte[4][w * h];
        byte[][] pred = new byte[4][w * h];
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < w * h; i++) {
                gt[k][i] = (byte) (rnd.nextDouble() < 0.05 ? 255 : rnd.nextInt(classes));
                pred[k][i] = (byte) (rnd.nextDouble() < 0.7 ? gt[k][i] : rnd.nextInt(classes));
            }
        }
        ConfusionMatrix m = new ConfusionMatrix(classes);
        for (int i = 0; i < 200; i++) {
            m.add(gt[i & 3], pred[i & 3]); // warm-up
        }
        double[] mpx = new double[5 * options.repeats()];
        for (int r = 0; r < mpx.length; r++) {
            long t0 = CpuScenario.cpu();
            for (int i = 0; i < 20; i++) {
                m.add(gt[i & 3], pred[i & 3]);
            }
            long ns = Math.max(1, CpuScenario.cpu() - t0);
            mpx[r] = 20.0 * w * h / (ns / 1e3);
        }
        if (m.total() == 0) {
            throw new IllegalStateException("nothing counted");
        }
        return Stats.median(mpx);
    }

    /** A label table (the columns eval reads) whose map for scene i is the ground truth of scene i+1. */
    private Path predictions(SparkSession spark) throws IOException {
        Path table = work.resolve("eval-labels-" + maps);
        Datasets.deleteTree(table);
        List<String> ids = Datasets.ids(spec).subList(0, maps);
        List<byte[]> unique = new ArrayList<>();
        for (int i = 0; i < spec.unique(); i++) {
            unique.add(Datasets.groundTruthPng(voc, Datasets.id(i, 0)));
        }
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            rows.add(RowFactory.create(ids.get(k), "OK", unique.get((k % spec.unique() + 1) % spec.unique())));
        }
        StructType schema = new StructType().add("image_id", DataTypes.StringType).add("status", DataTypes.StringType)
                .add("semantic_png", DataTypes.BinaryType);
        spark.createDataFrame(rows, schema).repartition(8).write().mode(SaveMode.ErrorIfExists).parquet(table.toString());
        return table;
    }
}
