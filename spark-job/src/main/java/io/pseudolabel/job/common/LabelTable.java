package io.pseudolabel.job.common;

import io.pseudolabel.labeler.ClassScore;
import io.pseudolabel.labeler.LabelResult;
import io.pseudolabel.labeler.LabelStatus;
import io.pseudolabel.masks.LabeledInstance;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/** The label table (ARCHITECTURE.md, "The label table"): its columns, one row per image, and a result as a row. */
public final class LabelTable {
    private LabelTable() {}

    // The columns, by name: every reader and writer of the table uses these.
    public static final String IMAGE_ID = "image_id";
    public static final String URI = "uri";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String CONTENT_SHA256 = "content_sha256";
    public static final String STATUS = "status";
    public static final String ERROR = "error";
    public static final String LABELS = "labels";
    public static final String INSTANCES = "instances";
    public static final String SEMANTIC_PNG = "semantic_png";
    public static final String QUALITY = "quality";
    public static final String MODEL_FINGERPRINT = "model_fingerprint";
    public static final String RUN_ID = "run_id";
    public static final String CREATED_AT = "created_at";

    /** Rows whose image was labelled ({@link LabelStatus#OK}). */
    public static Column ok() {
        return col(STATUS).equalTo(LabelStatus.OK.name());
    }

    public static final StructType LABEL = new StructType(new StructField[] {
        DataTypes.createStructField("class_id", DataTypes.IntegerType, false),
        DataTypes.createStructField("name", DataTypes.StringType, false),
        DataTypes.createStructField("score", DataTypes.FloatType, false)});

    public static final StructType RLE = new StructType(new StructField[] {
        DataTypes.createStructField("size", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
        DataTypes.createStructField("counts", DataTypes.StringType, false)});

    public static final StructType INSTANCE = new StructType(new StructField[] {
        DataTypes.createStructField("class_id", DataTypes.IntegerType, false),
        DataTypes.createStructField("name", DataTypes.StringType, false),
        DataTypes.createStructField("box", DataTypes.createArrayType(DataTypes.FloatType, false), false),
        DataTypes.createStructField("det_score", DataTypes.FloatType, false),
        DataTypes.createStructField("mask_iou", DataTypes.FloatType, false),
        DataTypes.createStructField("candidate", DataTypes.IntegerType, false),
        DataTypes.createStructField("rle", RLE, false),
        // SAM 2.1 onnx-community's object_score_logits for the box; null for exports without one
        DataTypes.createStructField("object_score_logit", DataTypes.FloatType, true),
        // in [0,1], README "Label quality"; null in runs written before the column existed
        DataTypes.createStructField("quality", DataTypes.FloatType, true)});

    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(IMAGE_ID, DataTypes.StringType, false),
        DataTypes.createStructField(URI, DataTypes.StringType, false),
        DataTypes.createStructField(WIDTH, DataTypes.IntegerType, false),
        DataTypes.createStructField(HEIGHT, DataTypes.IntegerType, false),
        DataTypes.createStructField(CONTENT_SHA256, DataTypes.StringType, true),
        DataTypes.createStructField(STATUS, DataTypes.StringType, false),
        DataTypes.createStructField(ERROR, DataTypes.StringType, true),
        DataTypes.createStructField(LABELS, new ArrayType(LABEL, false), false),
        DataTypes.createStructField(INSTANCES, new ArrayType(INSTANCE, false), false),
        DataTypes.createStructField(SEMANTIC_PNG, DataTypes.BinaryType, true),
        // the image's label quality in [0,1]; null for a failed image and in runs written before the column existed
        DataTypes.createStructField(QUALITY, DataTypes.FloatType, true),
        DataTypes.createStructField(MODEL_FINGERPRINT, DataTypes.StringType, false),
        DataTypes.createStructField(RUN_ID, DataTypes.StringType, false),
        DataTypes.createStructField(CREATED_AT, DataTypes.TimestampType, false)});

    /** Spark's row encoder takes arrays of structs as Scala sequences. */
    static Seq<Row> seq(List<Row> rows) {
        return CollectionConverters.asScala(rows).toList();
    }

    public static Row toRow(LabelResult r, String sha256, String fingerprint, String runId, long createdAt) {
        List<Row> labels = new ArrayList<>();
        for (ClassScore s : r.labels()) {
            labels.add(RowFactory.create(s.classId(), s.name(), s.score()));
        }
        List<Row> instances = new ArrayList<>();
        for (LabeledInstance i : r.instances()) {
            Row rle = RowFactory.create(new int[] {i.rle().height(), i.rle().width()}, i.rle().counts());
            float[] box = i.box().toArray();
            instances.add(RowFactory.create(i.classId(), i.name(), box, i.detScore(), i.maskIou(), i.candidate(), rle,
                    i.objectScoreLogit(), i.quality()));
        }
        return RowFactory.create(r.imageId(), r.uri(), r.width(), r.height(), sha256, r.status().name(), r.error(),
                seq(labels), seq(instances), r.semanticPng(), r.quality(), fingerprint, runId, new Timestamp(createdAt));
    }
}
