package io.pseudolabel.job.review;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.OutputPaths;
import io.pseudolabel.job.eval.ReportImages;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * {@code review}: a static gallery of a label run for a human to look at, no ground truth needed (README
 * "Reviewing labels"). The worst images by label {@code quality} are chosen with Spark's top-K
 * ({@code orderBy(quality).limit(K)}, a per-partition take-ordered and a merge of K rows, never the table on the
 * driver), a seeded random sample the same way over a hash of the image id, and with {@code --compare} the images
 * whose semantic maps changed most against another run ({@code takeOrdered} over per-image pixel agreement). Only
 * the rows shown are read on the executors: each image through the Hadoop file systems (S3 too), overlaid with its
 * label map and shrunk to a thumbnail, inlined in the pages as a data URI, so the pages need no network and no
 * files beside them. Pages hold at most {@code pageSize} tiles each.
 */
public final class ReviewJob {
    private ReviewJob() {}

    /** Longest side of a tile, pixels. */
    static final int THUMB = 240;

    /**
     * @param labels an output root (its {@code _LATEST}), a run directory or a labels directory
     * @param output folder the pages are written to (created)
     * @param images null, or the folder the run's images now live in, as the run listed them below its
     *     {@code images} root (its manifest says where that was)
     * @param worst how many of the lowest-quality images to show (0 for none)
     * @param sample how many images to show at random (0 for none)
     * @param className null, or only images with an instance or a label of this class
     * @param compare null, or another run (same forms as {@code labels}) to show the images that changed most
     * @param csv null, or a file for the worst images as {@code image_id,uri,quality,classes} (RFC 4180)
     */
    public record Options(String labels, String output, String images, int worst, int sample, String className,
            String compare, String csv, int pageSize, long seed, ImageLimits limits) implements Serializable {
        public Options {
            if (labels == null || output == null || limits == null) {
                throw new IllegalArgumentException("review needs --labels and --output");
            }
            if (worst < 0 || sample < 0 || worst > 100_000 || sample > 100_000) {
                throw new IllegalArgumentException("--worst and --sample must be 0..100000: " + worst + ", " + sample);
            }
            if (pageSize < 1) {
                throw new IllegalArgumentException("pseudolabel.review.page-size must be >= 1: " + pageSize);
            }
        }
    }

    /** What was written: tiles per section, the page files, and the wall time. */
    public record Result(int worstShown, int sampleShown, int changedShown, List<String> pages, long millis) {}

    /** One image as shown: its thumbnail with the label overlay, its instances, and a note when it is not shown. */
    public record Tile(String id, String uri, double quality, int width, int height, String dataUri,
            List<Inst> instances, String note, String otherDataUri, double agreement) implements Serializable {}

    /** One instance on a tile. */
    public record Inst(String name, float[] box, Double quality) implements Serializable {}

    public static Result run(SparkSession spark, Options o, PrintStream out) throws IOException {
        long start = System.currentTimeMillis();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        String labelsDir = Runs.resolveLabels(o.labels(), hadoop);
        Dataset<Row> ok = reviewable(spark, labelsDir, o.className());
        String[] from = null;
        if (o.images() != null) {
            from = new String[] {imagesRoot(labelsDir, hadoop), HadoopFiles.normalize(o.images())};
        }
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoop));
        Column[] shown = {col(LabelTable.IMAGE_ID), col(LabelTable.URI), col(LabelTable.QUALITY),
            col(LabelTable.WIDTH), col(LabelTable.HEIGHT), col(LabelTable.INSTANCES), col(LabelTable.SEMANTIC_PNG)};
        int parallel = Math.max(1, jsc.defaultParallelism());

        List<Tile> worst = List.of();
        if (o.worst() > 0) {
            spark.sparkContext().setJobDescription("review: the " + o.worst() + " lowest-quality images");
            Dataset<Row> rows = ok.orderBy(col(LabelTable.QUALITY).asc(), col(LabelTable.IMAGE_ID).asc())
                    .limit(o.worst()).select(shown);
            worst = new ArrayList<>(render(rows, parallel, conf, o.limits(), from));
            worst.sort(Comparator.comparingDouble(Tile::quality).thenComparing(Tile::id));
        }
        List<Tile> sample = List.of();
        if (o.sample() > 0) {
            spark.sparkContext().setJobDescription("review: " + o.sample() + " images at random");
            Dataset<Row> rows = ok.withColumn("_pick", xxhash64(col(LabelTable.IMAGE_ID), lit(o.seed())))
                    .orderBy(col("_pick"), col(LabelTable.IMAGE_ID)).limit(o.sample()).select(shown);
            sample = new ArrayList<>(render(rows, parallel, conf, o.limits(), from));
            sample.sort(Comparator.comparing(Tile::id));
        }
        List<Tile> changed = List.of();
        if (o.compare() != null) {
            spark.sparkContext().setJobDescription("review: changes against " + o.compare());
            changed = ReviewCompare.mostChanged(spark, ok, Runs.resolveLabels(o.compare(), hadoop),
                    Math.max(1, o.worst()), conf, o.limits(), from);
        }
        spark.sparkContext().setJobDescription(null);
        conf.destroy();

        List<String> pages = ReviewPages.write(o, labelsDir, worst, sample, changed, hadoop);
        if (o.csv() != null) {
            HadoopFiles.write(o.csv(), csv(worst).getBytes(StandardCharsets.UTF_8), hadoop);
        }
        long millis = System.currentTimeMillis() - start;
        out.printf(Locale.ROOT, "review: %d worst, %d sampled%s images of %s in %d page(s) under %s (%.1f s)%n",
                worst.size(), sample.size(), o.compare() == null ? "" : ", " + changed.size() + " changed",
                labelsDir, pages.size(), o.output(), millis / 1000.0);
        if (o.csv() != null) {
            out.printf("review: worst %d images listed in %s%n", worst.size(), o.csv());
        }
        return new Result(worst.size(), sample.size(), changed.size(), pages, millis);
    }

    /** The run's OK rows with a quality (of one class when {@code className} is given). */
    private static Dataset<Row> reviewable(SparkSession spark, String labelsDir, String className) {
        Dataset<Row> table = spark.read().parquet(labelsDir);
        if (!Set.of(table.columns()).contains(LabelTable.QUALITY)) {
            throw new IllegalArgumentException("labels " + labelsDir + " have no quality column: the run was written"
                    + " before label quality existed; label again (--incremental relabels it) to review it");
        }
        Dataset<Row> ok = table.filter(LabelTable.ok().and(col(LabelTable.QUALITY).isNotNull()));
        if (className != null) {
            ok = ok.filter(array_contains(col(LabelTable.INSTANCES + ".name"), className)
                    .or(array_contains(col(LabelTable.LABELS + ".name"), className)));
        }
        return ok;
    }

    /** The chosen rows, spread over the executors, each read, overlaid and shrunk there; K tiles come back. */
    static List<Tile> render(Dataset<Row> rows, int parallel, Broadcast<SerializableConfiguration> conf,
            ImageLimits limits, String[] reroot) {
        JavaRDD<Row> rdd = rows.javaRDD();
        return rdd.repartition(parallel).map(r -> tile(r, conf.value().value(), limits, reroot)).collect();
    }

    static Tile tile(Row r, Configuration conf, ImageLimits limits, String[] reroot) {
        String id = r.getString(0);
        String uri = r.getString(1);
        double quality = r.isNullAt(2) ? Double.NaN : r.getFloat(2);
        int w = r.getInt(3);
        int h = r.getInt(4);
        List<Inst> inst = new ArrayList<>();
        List<Row> rowsOfInstances = r.getList(5);
        for (Row i : rowsOfInstances) {
            int q = i.fieldIndex(LabelTable.QUALITY);
            List<Float> box = i.getList(i.fieldIndex("box"));
            inst.add(new Inst(i.getString(i.fieldIndex("name")),
                    new float[] {box.get(0), box.get(1), box.get(2), box.get(3)},
                    i.isNullAt(q) ? null : (double) i.getFloat(q)));
        }
        ClassMap map = r.isNullAt(6) ? null : PalettePng.read((byte[]) r.get(6), limits, "semantic_png of " + uri);
        String note = null;
        RgbImage image = null;
        String source = imageUri(uri, reroot);
        try {
            image = new ImageDecoder(limits).decode(HadoopFiles.read(source, limits.maxFileBytes(), conf), source);
            if (map != null && (image.width() != map.width() || image.height() != map.height())) {
                note = "image is " + image.width() + "x" + image.height() + ", labels " + map.width() + "x"
                        + map.height() + "; labels shown on grey";
                image = null;
            }
        } catch (Exception e) {
            note = "image not readable (" + e.getMessage() + "); labels shown on grey";
        }
        String data = map == null ? null : ReportImages.dataUri(ReportImages.thumbnail(ReportImages.overlay(image, map)),
                "jpeg");
        return new Tile(id, uri, quality, w, h, data, inst, note, null, Double.NaN);
    }

    /** {@code uri} moved from the run's images root to {@code --images}, or {@code uri} itself. */
    static String imageUri(String uri, String[] reroot) {
        if (reroot == null) {
            return uri;
        }
        String root = reroot[0].endsWith("/") ? reroot[0] : reroot[0] + "/";
        String norm = HadoopFiles.normalize(uri);
        if (!norm.startsWith(root)) {
            throw new IllegalArgumentException(uri + " is not below the run's images root " + reroot[0]);
        }
        return HadoopFiles.child(reroot[1], norm.substring(root.length()));
    }

    /** The {@code images} root the run's manifest records, for {@code --images}. */
    static String imagesRoot(String labelsDir, Configuration conf) throws IOException {
        String runDir = labelsDir.replaceAll("/+$", "").replaceAll("/labels$", "");
        String manifest = HadoopFiles.child(runDir, "_MANIFEST.json");
        if (!HadoopFiles.exists(manifest, conf)) {
            throw new IllegalArgumentException("--images needs the run's manifest to know where the images were "
                    + "listed; " + manifest + " does not exist");
        }
        JsonObject m = JsonParser.parseString(HadoopFiles.readString(manifest, conf))
                .getAsJsonObject();
        if (!m.has("images") || m.get("images").isJsonNull()) {
            throw new IllegalArgumentException(manifest + " names no images root");
        }
        return HadoopFiles.normalize(m.get("images").getAsString());
    }

    /** The worst images as {@code image_id,uri,quality,classes}, RFC 4180 (CRLF, quotes doubled where needed). */
    static String csv(List<Tile> worst) {
        StringBuilder b = new StringBuilder("image_id,uri,quality,classes\r\n");
        for (Tile t : worst) {
            List<String> classes = t.instances().stream().map(Inst::name).distinct().sorted().toList();
            b.append(field(t.id())).append(',').append(field(t.uri())).append(',')
                    .append(String.format(Locale.ROOT, "%.4f", t.quality())).append(',')
                    .append(field(String.join(";", classes))).append("\r\n");
        }
        return b.toString();
    }

    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Where a page goes: a fixed name under the output folder the user named. */
    static String page(Options o, String name) {
        return OutputPaths.under(o.output(), name);
    }
}
