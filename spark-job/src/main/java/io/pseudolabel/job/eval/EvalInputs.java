package io.pseudolabel.job.eval;

import com.google.gson.JsonParseException;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.run.Runs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongPredicate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * What {@code --pred} and {@code --gt} point at, recognised from the files there, as pair RDDs keyed by
 * image id. Keys: a table's {@code image_id}; a PNG folder's path below the folder without {@code .png}
 * (the file stem for a flat folder); a VOC id; a COCO {@code file_name}'s stem.
 */
final class EvalInputs {
    private EvalInputs() {}

    /** Items keyed by image id, what they are, and class names when the source declares them. */
    record Input(String description, JavaPairRDD<String, LabelItem> items, List<String> classNames) {}

    static final int IDS_PER_SLICE = 256;
    /** COCO JSON bytes per ground-truth task (each task streams the whole file, keeping its share). */
    static final long COCO_BYTES_PER_SHARD = 64L << 20;

    /**
     * A label run (root with {@code _LATEST}, run dir, labels dir), any Parquet table with {@code image_id}
     * and {@code semantic_png}, or a PNG folder (its {@code SegmentationClass/} when it has one).
     */
    static Input prediction(SparkSession spark, String uri) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String resolved = Runs.resolveLabels(uri, conf);
        String segmentation = HadoopFiles.child(resolved, "SegmentationClass");
        if (!resolved.toLowerCase(Locale.ROOT).endsWith(".parquet") && HadoopFiles.exists(segmentation, conf)) {
            resolved = segmentation; // predictions exported in VOC layout
        }
        Listing l = list(resolved, conf);
        if (l.parquet) {
            return new Input("table " + resolved, table(spark, resolved), null);
        }
        if (!l.pngs.isEmpty()) {
            return new Input("PNG folder " + resolved + " (" + l.pngs.size() + " maps)",
                    pairs(spark, pngItems(l, null)), null);
        }
        throw new IllegalArgumentException("--pred " + uri + ": no Parquet table and no PNG label maps at "
                + resolved);
    }

    /**
     * A VOC root ({@code SegmentationClass/}, optionally a split), a COCO instances JSON (or a COCO root with
     * {@code annotations/instances_<split>.json}), or a PNG folder.
     */
    static Input groundTruth(SparkSession spark, String uri, String split) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String root = HadoopFiles.normalize(uri);
        if (!HadoopFiles.exists(root, conf)) {
            throw new IllegalArgumentException("--gt " + uri + " does not exist");
        }
        if (root.toLowerCase(Locale.ROOT).endsWith(".json")) {
            return coco(spark, root, conf);
        }
        if (HadoopFiles.exists(HadoopFiles.child(root, "SegmentationClass"), conf)) {
            return voc(spark, root, split, conf);
        }
        String annotations = HadoopFiles.child(root, "annotations");
        if (HadoopFiles.exists(annotations, conf)) {
            return coco(spark, cocoJson(annotations, split, conf), conf);
        }
        if (split != null) {
            throw new IllegalArgumentException("--split applies to a VOC or COCO root; " + uri
                    + " has neither SegmentationClass/ nor annotations/");
        }
        Listing l = list(root, conf);
        if (l.pngs.isEmpty()) {
            throw new IllegalArgumentException("--gt " + uri + ": not a VOC root (no SegmentationClass/), not a COCO"
                    + " instances JSON, and no PNG label maps in it");
        }
        return new Input("PNG folder " + root + " (" + l.pngs.size() + " maps)", pairs(spark, pngItems(l, null)),
                null);
    }

    private static Input voc(SparkSession spark, String root, String split, Configuration conf) {
        List<String> ids = new ArrayList<>();
        String desc;
        if (split != null) {
            String list = HadoopFiles.child(root, "ImageSets/Segmentation/" + split + ".txt");
            if (!HadoopFiles.exists(list, conf)) {
                throw new IllegalArgumentException("VOC split list not found: " + list);
            }
            try {
                for (String line : HadoopFiles.readString(list, conf).split("\\R")) {
                    if (!line.isBlank()) {
                        ids.add(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + list, e);
            }
            desc = "VOC " + root + " split " + split;
        } else {
            for (String key : list(HadoopFiles.child(root, "SegmentationClass"), conf).keys) {
                ids.add(key);
            }
            desc = "VOC " + root + " (all of SegmentationClass)";
        }
        List<Tuple2<String, LabelItem>> items = new ArrayList<>();
        for (String id : ids) {
            items.add(new Tuple2<>(id, new LabelItem.PngFile(HadoopFiles.child(root, "SegmentationClass/" + id + ".png"),
                    HadoopFiles.child(root, "JPEGImages/" + id + ".jpg"))));
        }
        List<String> names = null;
        String classes = HadoopFiles.child(root, "classes.txt");
        if (HadoopFiles.exists(classes, conf)) {
            try {
                names = Arrays.stream(HadoopFiles.readString(classes, conf).split("\\R")).map(String::strip)
                        .filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + classes, e);
            }
        }
        return new Input(desc + " (" + ids.size() + " images)", pairs(spark, items), names);
    }

    private static String cocoJson(String annotations, String split, Configuration conf) {
        if (split != null) {
            String f = HadoopFiles.child(annotations, "instances_" + split + ".json");
            if (!HadoopFiles.exists(f, conf)) {
                throw new IllegalArgumentException("COCO instances file not found: " + f);
            }
            return f;
        }
        List<String> found = new ArrayList<>();
        try {
            for (FileStatus st : HadoopFiles.fs(annotations, conf).listStatus(new Path(annotations))) {
                String n = st.getPath().getName();
                if (n.startsWith("instances_") && n.endsWith(".json")) {
                    found.add(st.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + annotations, e);
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException(annotations + " holds " + found.size() + " instances_*.json files; pass"
                    + " --split NAME for instances_NAME.json or --gt the JSON itself");
        }
        return found.get(0);
    }

    /**
     * COCO ground truth. The driver streams the JSON once for its categories, its image count and its errors
     * (nothing per image is kept); each of a few tasks then streams it again for its share of the image ids
     * and emits those images with their annotations, so polygons and RLEs live in the executors' tasks where
     * they are rasterised, never all at once on the driver (train2017: 860k annotations, 448 MB of JSON).
     */
    private static Input coco(SparkSession spark, String json, Configuration conf) {
        Path p = new Path(json);
        CocoInstances coco = readCoco(json, conf, id -> false);
        // <root>/annotations/instances_<split>.json -> images in <root>/<split>/
        String imageDir = null;
        String name = p.getName();
        if (p.getParent() != null && p.getParent().getName().equals("annotations") && name.startsWith("instances_")) {
            String s = name.substring("instances_".length(), name.length() - ".json".length());
            imageDir = new Path(p.getParent().getParent(), s).toString();
        }
        long bytes;
        try {
            bytes = p.getFileSystem(conf).getFileStatus(p).getLen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read COCO instances " + json + ": " + e.getMessage(), e);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int shards = cocoShards(bytes, coco.imageCount(), jsc.defaultParallelism());
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            ids.add(i);
        }
        Broadcast<SerializableConfiguration> confBc =
                jsc.broadcast(new SerializableConfiguration(conf));
        String dir = imageDir;
        JavaPairRDD<String, LabelItem> pairs = jsc.parallelize(ids, shards).flatMapToPair(shard -> {
            CocoInstances mine = readCoco(json, confBc.value().value(),
                    id -> Math.floorMod(id, (long) shards) == shard);
            List<Tuple2<String, LabelItem>> out = new ArrayList<>(mine.images().size());
            for (CocoInstances.Image im : mine.images()) {
                out.add(new Tuple2<>(im.key(), new LabelItem.Coco(im, dir == null ? null : dir + "/" + im.fileName())));
            }
            return out.iterator();
        });
        return new Input("COCO " + json + " (" + coco.imageCount() + " images, " + coco.classNames().size()
                + " categories)", pairs, coco.classNames());
    }

    /** Tasks that each read the whole COCO JSON for a share of its images: one per 64 MB, at least the cores. */
    static int cocoShards(long jsonBytes, int images, int parallelism) {
        long byBytes = (jsonBytes + COCO_BYTES_PER_SHARD - 1) / COCO_BYTES_PER_SHARD;
        return (int) Math.max(1, Math.min(Math.max(images, 1), Math.max(parallelism, byBytes)));
    }

    private static CocoInstances readCoco(String json, Configuration conf, LongPredicate keep) {
        Path p = new Path(json);
        try (Reader r = new InputStreamReader(p.getFileSystem(conf).open(p), StandardCharsets.UTF_8)) {
            return CocoInstances.parse(r, keep);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read COCO instances " + json + ": " + e.getMessage(), e);
        } catch (IllegalStateException | JsonParseException | NumberFormatException e) {
            throw new IllegalArgumentException("not a COCO instances JSON: " + json + ": " + e.getMessage(), e);
        }
    }

    private static JavaPairRDD<String, LabelItem> table(SparkSession spark, String uri) {
        Dataset<Row> df = spark.read().parquet(uri);
        Set<String> cols = Set.of(df.columns());
        for (String c : List.of(LabelTable.IMAGE_ID, LabelTable.SEMANTIC_PNG)) {
            if (!cols.contains(c)) {
                throw new IllegalArgumentException("prediction table " + uri + " has no column " + c + "; columns: "
                        + String.join(", ", df.columns()));
            }
        }
        Column none = lit(null).cast("string");
        Dataset<Row> sel = df.select(col(LabelTable.IMAGE_ID), col(LabelTable.SEMANTIC_PNG),
                cols.contains(LabelTable.URI) ? col(LabelTable.URI) : none.as(LabelTable.URI),
                cols.contains(LabelTable.STATUS) ? col(LabelTable.STATUS) : none.as(LabelTable.STATUS),
                cols.contains(LabelTable.ERROR) ? col(LabelTable.ERROR) : none.as(LabelTable.ERROR),
                // label tables since issue 21; older runs and other tables have none
                cols.contains(LabelTable.QUALITY) ? col(LabelTable.QUALITY).cast("float") : lit(null).cast("float").as(LabelTable.QUALITY));
        return sel.javaRDD().mapToPair(row -> new Tuple2<>(row.getString(0), (LabelItem) new LabelItem.TableRow(
                row.isNullAt(1) ? null : (byte[]) row.get(1), row.getString(2), row.getString(3), row.getString(4),
                row.isNullAt(5) ? null : row.getFloat(5))));
    }

    private static List<Tuple2<String, LabelItem>> pngItems(Listing l, String imageUri) {
        List<Tuple2<String, LabelItem>> out = new ArrayList<>();
        for (int i = 0; i < l.pngs.size(); i++) {
            out.add(new Tuple2<>(l.keys.get(i), new LabelItem.PngFile(l.pngs.get(i), imageUri)));
        }
        return out;
    }

    private static JavaPairRDD<String, LabelItem> pairs(SparkSession spark, List<Tuple2<String, LabelItem>> items) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(1, Math.min(Math.max(items.size(), 1),
                Math.max(jsc.defaultParallelism(), (items.size() + IDS_PER_SLICE - 1) / IDS_PER_SLICE)));
        return jsc.parallelizePairs(items, slices);
    }

    /** PNG files below a folder (recursively, sorted) and whether Parquet files are there. */
    private static final class Listing {
        final List<String> pngs = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        boolean parquet;
    }

    private static Listing list(String dir, Configuration conf) {
        Listing l = new Listing();
        Path root = new Path(HadoopFiles.normalize(dir));
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new FileNotFoundException(dir + " does not exist");
            }
            FileStatus rootStatus = fs.getFileStatus(root);
            if (rootStatus.isFile()) {
                l.parquet = root.getName().endsWith(".parquet");
                return l;
            }
            String prefix = rootStatus.getPath().toString();
            List<String[]> found = new ArrayList<>();
            for (FileStatus st : HadoopFiles.listFilesRecursive(fs, root)) {
                String name = st.getPath().getName();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".parquet")) {
                    l.parquet = true;
                } else if (lower.endsWith(".png") && !name.startsWith(".") && !name.startsWith("_")) {
                    String full = st.getPath().toString();
                    String rel = full.startsWith(prefix) ? full.substring(prefix.length()).replaceFirst("^/", "")
                            : name;
                    found.add(new String[] {rel.substring(0, rel.length() - 4), full});
                }
            }
            found.sort((a, b) -> a[0].compareTo(b[0]));
            for (String[] f : found) {
                l.keys.add(f[0]);
                l.pngs.add(f[1]);
            }
            return l;
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
