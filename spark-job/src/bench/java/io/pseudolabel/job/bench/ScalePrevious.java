package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.label.LabelPartition;
import io.pseudolabel.job.run.Manifest;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.ModelFingerprint;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import io.pseudolabel.masks.PalettePng;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The previous night of the {@code scale} scenario, written straight into an output root without running a
 * model: {@code runs/<id>/labels} with the table's real schema (a row per image: an instance per given box
 * with its RLE, a palette PNG painting the boxes, the label fingerprint the next night computes),
 * {@code runs/<id>/inputs} as a night records it, a manifest, and {@code _LATEST}. The listing it starts from
 * is the product's own ({@link LabelJob#listing}), so the next night sees these rows as its own.
 */
final class ScalePrevious {
    private ScalePrevious() {}

    /**
     * Writes run {@code runId} under {@code root} holding every listed image, or every one but the new ones.
     *
     * @param listing the product's listing of the dataset ({@link LabelJob#listing}), persisted by the caller
     * @return rows written
     */
    static long write(SparkSession spark, Config config, ScaleDataset.Layout layout, Dataset<Row> listing, Path root,
            String runId, boolean withNew, String fingerprint) throws IOException {
        Datasets.deleteTree(root);
        String output = HadoopFiles.normalize(root.toString());
        long firstNew = layout.imageCount() - layout.newImages() + 1L; // a long, not the layout, goes to the tasks
        Dataset<Row> rows = withNew ? listing
                : listing.filter((FilterFunction<Row>) r -> Long.parseLong(
                        r.getString(r.fieldIndex("image_id"))) < firstNew);
        long createdAt = System.currentTimeMillis() - 86_400_000L;
        rows.select(col("uri"), col("size"), col("mtime"), col("annotations_sha256")).coalesce(1).write()
                .mode(SaveMode.ErrorIfExists).parquet(HadoopFiles.child(Runs.runDir(output, runId), "inputs"));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<String[]> shas = jsc.broadcast(variantShas(layout));
        List<String> classes = layout.classNames();
        StructType schema = LabelTable.SCHEMA;
        Dataset<Row> table = rows.map((MapFunction<Row, Row>) r -> labelRow(r,
                schema, classes, shas.value(), fingerprint, runId, createdAt), ExpressionEncoder.apply(schema));
        table.write().mode(SaveMode.ErrorIfExists).parquet(Runs.labelsDir(output, runId));
        long n = spark.read().parquet(Runs.labelsDir(output, runId)).count();
        Manifest manifest = new Manifest(runId, "label", layout.images().toString(), output, fingerprint,
                ModelFingerprint.LABELER_VERSION, JobConfig.render(config), createdAt, null, LabelJob.PUBLISHED,
                "written by bench scale (no model ran)", Map.of("OK", n), List.of(), 0,
                config.getDouble("pseudolabel.job.max-failed-fraction"), 0, n, Map.of(), List.of(), null, null);
        HadoopFiles.writeAtomically(Runs.manifest(output, runId), manifest.toJson().getBytes(StandardCharsets.UTF_8),
                spark.sparkContext().hadoopConfiguration());
        HadoopFiles.writeAtomically(HadoopFiles.child(output, Runs.LATEST), (runId + "\n").getBytes(
                StandardCharsets.UTF_8), spark.sparkContext().hadoopConfiguration());
        return n;
    }

    /** SHA-256 of JPEG variant v (image i holds variant i % VARIANTS). */
    private static String[] variantShas(ScaleDataset.Layout layout) throws IOException {
        String[] out = new String[ScaleDataset.VARIANTS];
        for (int v = 0; v < out.length; v++) {
            int id = v == 0 ? ScaleDataset.VARIANTS : v;
            Path f = layout.images().resolve(ScaleDataset.fileName(id));
            out[v] = Files.exists(f) ? LabelPartition.sha256(Files.readAllBytes(f)) : null;
        }
        return out;
    }

    /** A label row for one listed image: an instance per given box, the boxes painted into the semantic map. */
    static Row labelRow(Row listed, StructType schema, List<String> classes, String[] shas, String fingerprint,
            String runId, long createdAt) {
        String imageId = listed.getString(listed.fieldIndex("image_id"));
        long id = Long.parseLong(imageId);
        List<Row> boxes = listed.getList(listed.fieldIndex("given_boxes"));
        int w = ScaleDataset.WIDTH;
        int h = ScaleDataset.HEIGHT;
        byte[] ids = new byte[w * h];
        List<Row> instances = new ArrayList<>();
        List<Row> labels = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (Row b : boxes) {
            String name = b.getString(0);
            int cls = classes.indexOf(name) + 1;
            float[] box = {b.getFloat(1), b.getFloat(2), b.getFloat(3), b.getFloat(4)};
            int x1 = Math.max(0, (int) Math.floor(box[0])), y1 = Math.max(0, (int) Math.floor(box[1]));
            int x2 = Math.min(w, (int) Math.ceil(box[2])), y2 = Math.min(h, (int) Math.ceil(box[3]));
            for (int y = y1; y < y2; y++) {
                for (int x = x1; x < x2; x++) {
                    ids[y * w + x] = (byte) cls;
                }
            }
            instances.add(byName(LabelTable.INSTANCE, Map.of("class_id", cls, "name", name, "box", box,
                    "det_score", 1f, "mask_iou", 0.9f, "candidate", 0, "rle", RowFactory.create(new int[] {h, w},
                            CocoRle.compress(rectangleCounts(x1, y1, x2, y2, w, h))))));
            if (!seen.contains(cls)) {
                seen.add(cls);
                labels.add(byName(LabelTable.LABEL, Map.of("class_id", cls, "name", name, "score", 1f)));
            }
        }
        Map<String, Object> values = new HashMap<>();
        values.put("image_id", imageId);
        values.put("uri", listed.getString(listed.fieldIndex("uri")));
        values.put("width", w);
        values.put("height", h);
        values.put("content_sha256", shas[(int) (id % ScaleDataset.VARIANTS)]);
        values.put("status", "OK");
        values.put("labels", seq(labels));
        values.put("instances", seq(instances));
        values.put("semantic_png", PalettePng.write(new ClassMap(w, h, ids)));
        values.put("model_fingerprint", fingerprint);
        values.put("run_id", runId);
        values.put("created_at", new Timestamp(createdAt));
        return byName(schema, values);
    }

    /** A row of {@code type} with the given fields and null for the rest (columns added later read as null). */
    private static Row byName(StructType type, Map<String, ?> values) {
        Object[] out = new Object[type.fields().length];
        StructField[] fields = type.fields();
        for (int i = 0; i < fields.length; i++) {
            Object v = values.get(fields[i].name());
            out[i] = v instanceof List<?> l ? seq(l) : v;
        }
        return RowFactory.create(out);
    }

    private static <T> Seq<T> seq(List<T> list) {
        return CollectionConverters.asScala(list).toList();
    }

    /** Column-major runs (COCO's order) of the rectangle x1..x2 x y1..y2 in a w x h frame, from zeros. */
    static int[] rectangleCounts(int x1, int y1, int x2, int y2, int w, int h) {
        if (x2 <= x1 || y2 <= y1) {
            return new int[] {w * h};
        }
        List<Integer> runs = new ArrayList<>();
        int zeros = x1 * h + y1;
        for (int x = x1; x < x2; x++) {
            runs.add(zeros);
            runs.add(y2 - y1);
            zeros = h - (y2 - y1);
        }
        runs.add(h - y2 + (w - x2) * h);
        return runs.stream().mapToInt(Integer::intValue).toArray();
    }
}
