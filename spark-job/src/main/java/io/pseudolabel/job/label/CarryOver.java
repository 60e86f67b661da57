package io.pseudolabel.job.label;

import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.GivenBox;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * What {@code --incremental} may carry over from the run it plans from: an image whose uri, size, modification
 * time and given annotations (when the supervision mode uses them) are those that run recorded in its
 * {@code inputs} side table, and whose row there is OK with the same label fingerprint.
 */
final class CarryOver {
    /** Side table of a run: what each input looked like when it was listed, for the next incremental run. */
    static final StructType INPUTS = new StructType()
            .add("uri", DataTypes.StringType, false)
            .add("size", DataTypes.LongType, false)
            .add("mtime", DataTypes.LongType, false)
            // null without supervision; runs written before this column existed read as null too
            .add("annotations_sha256", DataTypes.StringType, true);

    /** One given box of a listed image. */
    static final StructType BOX = new StructType()
            .add("name", DataTypes.StringType, false)
            .add("x1", DataTypes.FloatType, false)
            .add("y1", DataTypes.FloatType, false)
            .add("x2", DataTypes.FloatType, false)
            .add("y2", DataTypes.FloatType, false);

    /** What a run lists: each image with what was given with it, and the hash its inputs record. */
    static final StructType LISTING = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("uri", DataTypes.StringType, false)
            .add("size", DataTypes.LongType, false)
            .add("mtime", DataTypes.LongType, false)
            .add("refused", DataTypes.StringType, true)
            .add("given_labels", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("given_boxes", DataTypes.createArrayType(BOX, false), false)
            .add("annotations_sha256", DataTypes.StringType, true);

    static Row listingRow(ImageRef r, Supervision supervision) {
        List<Row> boxes = new ArrayList<>();
        for (GivenBox b : r.givenBoxes()) {
            boxes.add(RowFactory.create(b.name(), b.box().x1(), b.box().y1(), b.box().x2(), b.box().y2()));
        }
        return RowFactory.create(r.imageId(), r.uri(), r.size(), r.mtime(), r.refused(),
                CollectionConverters.asScala(r.givenLabels()).toList(),
                CollectionConverters.asScala(boxes).toList(), annotationsSha256(r, supervision));
    }

    /**
     * @param toLabel images the models must label
     * @param carried how many rows are copied from {@code from}
     * @param dropped the uris whose rows in {@code from} are not carried: those it recorded that are changed or no
     *     longer listed, and every uri labelled tonight (so no image can have a carried row and a new one); on a
     *     nightly run far fewer than the carried ones, so the driver holds and ships these
     * @param from the run rows are carried from (null: none)
     * @param unchanged nothing to label and nothing removed: {@code from}'s table is already this run's
     */
    record Plan(List<ImageRef> toLabel, long carried, List<String> dropped, String from, boolean unchanged) {
        static Plan everything(List<ImageRef> refs) {
            return new Plan(refs, 0, List.of(), null, false);
        }
    }

    /** The column of the dropped uris where the carried rows are chosen ({@link #carriedRows}). */
    static final String DROP_URI = "drop_uri";

    /**
     * Listed rows a task carries to the executors: bounded so that no task ships more than about a megabyte of
     * the driver's listing (Spark warns above 1000 KiB), e.g. 30 tasks for COCO train2017.
     */
    static final int INPUT_ROWS_PER_SLICE = 4096;

    private CarryOver() {}

    /**
     * This run's {@link #INPUTS} rows for {@code refs}, spread over tasks of at most
     * {@value #INPUT_ROWS_PER_SLICE} rows: what the run records for the next one to plan against.
     */
    static Dataset<Row> inputs(SparkSession spark, List<ImageRef> refs, Supervision supervision) {
        List<Row> rows = new ArrayList<>(refs.size());
        for (ImageRef r : refs) {
            rows.add(RowFactory.create(r.uri(), r.size(), r.mtime(), annotationsSha256(r, supervision)));
        }
        int slices = Math.max(1, (rows.size() + INPUT_ROWS_PER_SLICE - 1) / INPUT_ROWS_PER_SLICE);
        JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, slices);
        return spark.createDataFrame(rdd, INPUTS);
    }

    /**
     * Decides which listed images keep the published run's row: the same uri, size, modification time and
     * annotation hash as that run's {@code inputs} recorded, and an OK row there with the same label fingerprint.
     * The comparison runs on the driver over that run's {@code inputs} and OK uris, collected (COCO train2017:
     * ~0.1 GB for a few seconds; a diff by Spark joins was measured at twice the planning time, see
     * BENCHMARKS.md); what it keeps for the rest of the run is only the uris not carried.
     */
    static Plan plan(SparkSession spark, String output, String previous, List<ImageRef> refs, String fingerprint,
            Supervision supervision) {
        if (previous == null) {
            return Plan.everything(refs);
        }
        Map<String, Row> seen = new HashMap<>();
        for (Row r : spark.read().schema(INPUTS).parquet(inputsDir(output, previous)).collectAsList()) {
            seen.put(r.getString(0), r);
        }
        long recorded = seen.size();
        Set<String> okSameModel = new HashSet<>(spark.read().parquet(Runs.labelsDir(output, previous))
                .filter(keepable(fingerprint))
                .select(LabelTable.URI).as(Encoders.STRING()).collectAsList());
        List<ImageRef> toLabel = new ArrayList<>();
        long carried = 0;
        for (ImageRef ref : refs) {
            Row before = seen.get(ref.uri());
            boolean same = before != null && ref.refused() == null && ref.size() >= 0 && before.getLong(1) == ref.size()
                    && before.getLong(2) == ref.mtime()
                    && Objects.equals(before.isNullAt(3) ? null : before.getString(3), annotationsSha256(ref, supervision));
            if (same && okSameModel.contains(ref.uri())) {
                seen.remove(ref.uri()); // what stays in seen is what the run does not carry
                carried++;
            } else {
                toLabel.add(ref);
            }
        }
        boolean unchanged = toLabel.isEmpty() && carried == recorded;
        if (carried == 0) {
            return new Plan(toLabel, 0, List.of(), previous, unchanged);
        }
        Set<String> dropped = new HashSet<>(seen.keySet());
        for (ImageRef ref : toLabel) {
            dropped.add(ref.uri());
        }
        return new Plan(toLabel, carried, new ArrayList<>(dropped), previous, unchanged);
    }

    /**
     * The rows of the published run that {@code plan} carries: its OK rows of the run's label fingerprint but
     * those of the dropped uris (sent to every task; none on an unchanged night), read with today's schema, so a
     * run written before a column existed (instances' {@code object_score_logit}) reads it as null and its rows
     * carry over into the new run's schema.
     */
    static Dataset<Row> carriedRows(SparkSession spark, String output, Plan plan, String fingerprint) {
        Dataset<Row> previous = spark.read().schema(LabelTable.SCHEMA).parquet(Runs.labelsDir(output, plan.from()))
                .filter(keepable(fingerprint));
        if (!plan.dropped().isEmpty()) {
            Dataset<Row> drop = spark.createDataset(plan.dropped(), Encoders.STRING()).toDF(DROP_URI);
            previous = previous.join(functions.broadcast(drop), col(LabelTable.URI).equalTo(col(DROP_URI)),
                    "left_anti");
        }
        Column[] columns = Arrays.stream(LabelTable.SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
        return previous.select(columns);
    }

    /** The rows a run may carry: OK, labelled with the label fingerprint {@code fingerprint}. */
    private static Column keepable(String fingerprint) {
        return LabelTable.ok().and(col(LabelTable.MODEL_FINGERPRINT).equalTo(fingerprint));
    }

    /**
     * A hash of what was given with the image when the mode uses it ({@code image-labels}: the labels in
     * order; {@code boxes}: each box's name and corners in order), else null: an edited VOC XML or COCO box
     * relabels its image.
     */
    static String annotationsSha256(ImageRef ref, Supervision supervision) {
        StringBuilder b = new StringBuilder();
        switch (supervision) {
            case NONE -> {
                return null;
            }
            case IMAGE_LABELS -> {
                for (String label : ref.givenLabels()) {
                    b.append("label\t").append(label).append('\n');
                }
            }
            case BOXES -> {
                for (GivenBox box : ref.givenBoxes()) {
                    b.append("box\t").append(box.name()).append('\t').append(Float.toString(box.box().x1())).append('\t')
                            .append(Float.toString(box.box().y1())).append('\t').append(Float.toString(box.box().x2()))
                            .append('\t').append(Float.toString(box.box().y2())).append('\n');
                }
            }
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** Records this run's {@code inputs} for the next incremental run to plan against. */
    static void writeInputs(SparkSession spark, List<ImageRef> refs, Supervision supervision, String output,
            String runId) {
        inputs(spark, refs, supervision).write().mode(SaveMode.ErrorIfExists).parquet(inputsDir(output, runId));
    }

    static String inputsDir(String output, String runId) {
        return HadoopFiles.child(Runs.runDir(output, runId), "inputs");
    }
}
