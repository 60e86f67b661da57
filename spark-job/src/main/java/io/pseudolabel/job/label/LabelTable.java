package io.pseudolabel.job.label;

import io.pseudolabel.labeler.ClassScore;
import io.pseudolabel.labeler.LabelResult;
import io.pseudolabel.masks.LabeledInstance;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** The output table of DESIGN §5, one row per image, and the conversion of a result into a row. */
public final class LabelTable {
    private LabelTable() {}

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
        DataTypes.createStructField("image_id", DataTypes.StringType, false),
        DataTypes.createStructField("uri", DataTypes.StringType, false),
        DataTypes.createStructField("width", DataTypes.IntegerType, false),
        DataTypes.createStructField("height", DataTypes.IntegerType, false),
        DataTypes.createStructField("content_sha256", DataTypes.StringType, true),
        DataTypes.createStructField("status", DataTypes.StringType, false),
        DataTypes.createStructField("error", DataTypes.StringType, true),
        DataTypes.createStructField("labels", new ArrayType(LABEL, false), false),
        DataTypes.createStructField("instances", new ArrayType(INSTANCE, false), false),
        DataTypes.createStructField("semantic_png", DataTypes.BinaryType, true),
        // the image's label quality in [0,1]; null for a failed image and in runs written before the column existed
        DataTypes.createStructField("quality", DataTypes.FloatType, true),
        DataTypes.createStructField("model_fingerprint", DataTypes.StringType, false),
        DataTypes.createStructField("run_id", DataTypes.StringType, false),
        DataTypes.createStructField("created_at", DataTypes.TimestampType, false)});

    /** Spark's row encoder takes arrays of structs as Scala sequences. */
    static scala.collection.immutable.Seq<Row> seq(List<Row> rows) {
        return scala.jdk.javaapi.CollectionConverters.asScala(rows).toList();
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
