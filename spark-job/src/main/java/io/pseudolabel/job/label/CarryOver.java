package io.pseudolabel.job.label;

import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.GivenBox;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
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
     * @param carried uris whose rows are copied from {@code from}
     * @param from the run rows are carried from (null: none)
     * @param unchanged nothing to label and nothing removed: {@code from}'s table is already this run's
     */
    record Plan(List<ImageRef> toLabel, Set<String> carried, String from, boolean unchanged) {
        static Plan everything(List<ImageRef> refs) {
            return new Plan(refs, Set.of(), null, false);
        }
    }

    private CarryOver() {}

    static Plan plan(SparkSession spark, String output, String previous, List<ImageRef> refs, String fingerprint,
            Supervision supervision) {
        if (previous == null) {
            return Plan.everything(refs);
        }
        Map<String, Row> seen = new HashMap<>();
        for (Row r : spark.read().schema(INPUTS).parquet(inputsDir(output, previous)).collectAsList()) {
            seen.put(r.getString(0), r);
        }
        Set<String> okSameModel = new HashSet<>(spark.read().parquet(Runs.labelsDir(output, previous))
                .filter(LabelTable.ok().and(col(LabelTable.MODEL_FINGERPRINT).equalTo(fingerprint)))
                .select(LabelTable.URI).as(Encoders.STRING()).collectAsList());
        List<ImageRef> toLabel = new ArrayList<>();
        Set<String> carried = new HashSet<>();
        for (ImageRef ref : refs) {
            Row before = seen.get(ref.uri());
            boolean same = before != null && ref.size() >= 0 && before.getLong(1) == ref.size()
                    && before.getLong(2) == ref.mtime()
                    && Objects.equals(before.isNullAt(3) ? null : before.getString(3), annotationsSha256(ref, supervision));
            if (same && okSameModel.contains(ref.uri())) {
                carried.add(ref.uri());
            } else {
                toLabel.add(ref);
            }
        }
        boolean unchanged = toLabel.isEmpty() && carried.size() == seen.size();
        return new Plan(toLabel, carried, previous, unchanged);
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

    static void writeInputs(SparkSession spark, List<ImageRef> refs, Supervision supervision, String output,
            String runId) {
        List<Row> rows = refs.stream().map(r -> RowFactory.create(r.uri(), r.size(), r.mtime(),
                annotationsSha256(r, supervision))).toList();
        spark.createDataFrame(rows, INPUTS).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(inputsDir(output, runId));
    }

    static String inputsDir(String output, String runId) {
        return HadoopFiles.child(Runs.runDir(output, runId), "inputs");
    }
}
