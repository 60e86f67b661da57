package io.pseudolabel.job.export;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.CocoAnnotations;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageIds;
import io.pseudolabel.job.data.OutputPaths;
import io.pseudolabel.job.executor.RunningTasks;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.CocoRle;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.BufferedWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/** Label tables out to the formats training code reads: VOC palette PNGs, COCO instances JSON with RLE. */
public final class Exports {
    private Exports() {}

    /** VOC's folders, as mmsegmentation's {@code PascalVOCDataset} reads them. */
    public static final String SEGMENTATION_CLASS = "SegmentationClass";
    public static final String SEGMENTATION_SETS = "ImageSets/Segmentation";

    /** {@link #voc(SparkSession, String, String, String, boolean, long, PrintStream)} listing the ids as train. */
    public static long voc(SparkSession spark, String labels, String dir, boolean overwrite, long stopTimeoutMillis,
            PrintStream log) throws IOException {
        return voc(spark, labels, dir, "train", overwrite, stopTimeoutMillis, log);
    }

    /**
     * Writes VOC2012's segmentation layout for every OK row: {@code <dir>/SegmentationClass/<image_id>.png} (the
     * palette PNG, in parallel) and {@code <dir>/ImageSets/Segmentation/<split>.txt} (the ids, sorted, one a line);
     * returns how many PNGs. Everything is written
     * into a hidden sibling folder first, which then takes the place of {@code dir}: readers never see half an
     * export, and a failed one leaves {@code dir} as it was. A {@code dir} that exists and is not empty is
     * refused unless {@code overwrite}, and then replaced whole (PNGs of images no longer in the table go too).
     * Every file name is checked to stay inside {@code dir} ({@link OutputPaths}).
     */
    /** Whether the export's folder exists; refused when it is a file, or holds files and no --overwrite. */
    private static boolean checkTarget(FileSystem fs, Path targetPath, String dir, boolean overwrite)
            throws IOException {
        if (!fs.exists(targetPath)) {
            return false;
        }
        FileStatus st = fs.getFileStatus(targetPath);
        if (!st.isDirectory()) {
            throw new IllegalArgumentException("export voc: " + dir + " is a file, not a folder");
        }
        if (fs.listStatus(targetPath).length > 0 && !overwrite) {
            throw new IllegalArgumentException("export voc: " + dir + " is not empty; pass --overwrite to replace "
                    + "it whole (the previous export is deleted once the new one is complete)");
        }
        return true;
    }

    /** ImageSets/Segmentation/<split>.txt: the exported ids, one a line, sorted. */
    private static void writeSplit(FileSystem fs, Dataset<Row> ok, Path list) throws IOException {
        FileSystem listFs = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        try (FSDataOutputStream stream = listFs.create(list, false);
                Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8))) {
            Iterator<Row> ids = ok.select(LabelTable.IMAGE_ID).orderBy(LabelTable.IMAGE_ID).toLocalIterator();
            while (ids.hasNext()) {
                w.write(ids.next().getString(0));
                w.write('\n');
            }
        }
    }

    public static long voc(SparkSession spark, String labels, String dir, String split, boolean overwrite,
            long stopTimeoutMillis, PrintStream log) throws IOException {
        String problem = ImageIds.problem(split);
        if (problem != null || split.contains("/")) {
            throw new IllegalArgumentException("export voc: the split name '" + split + "' is not a plain file name"
                    + (problem == null ? "" : " (" + problem + ")"));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        String target = HadoopFiles.normalize(dir);
        Path targetPath = new Path(target);
        FileSystem fs = targetPath.getFileSystem(hadoop);
        boolean exists = checkTarget(fs, targetPath, dir, overwrite);
        Dataset<Row> ok = spark.read().parquet(labels).filter(LabelTable.ok())
                .select(LabelTable.IMAGE_ID, LabelTable.SEMANTIC_PNG);
        checkIds(ok, labels);
        String staging = HadoopFiles.sibling(target, "tmp");
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoop));
        LongAccumulator written = jsc.sc().longAccumulator("pngs written");
        String pngs = HadoopFiles.child(staging, SEGMENTATION_CLASS);
        try {
            spark.sparkContext().setJobDescription("export voc: palette PNGs");
            ok.javaRDD().foreachPartition(rows -> {
                        Configuration c = conf.value().value();
                        while (rows.hasNext()) {
                            Row r = rows.next();
                            HadoopFiles.write(OutputPaths.under(pngs, r.getString(0) + ".png"), (byte[]) r.get(1),
                                    c);
                            written.add(1);
                        }
                    });
            Path stagingPath = new Path(staging);
            fs.mkdirs(new Path(pngs)); // no OK row: an empty export
            spark.sparkContext().setJobDescription("export voc: " + SEGMENTATION_SETS + "/" + split + ".txt");
            writeSplit(fs, ok, new Path(HadoopFiles.child(HadoopFiles.child(staging, SEGMENTATION_SETS),
                    split + ".txt")));
            swap(fs, stagingPath, targetPath, exists, log);
        } catch (IOException | RuntimeException e) {
            // The failed job's other tasks may still write a PNG each before they notice they were killed.
            try {
                String left = RunningTasks.awaitNone(jsc.sc(), stopTimeoutMillis);
                if (left != null) {
                    e.addSuppressed(new IllegalStateException("export voc: " + left + "; " + staging
                            + " may hold a partial export"));
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                e.addSuppressed(ie);
            }
            deleteQuietly(fs, new Path(staging), e);
            throw e;
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        return written.value();
    }

    /**
     * Refuses, before anything is written, a table whose OK rows have an id that is not a safe relative path
     * or an id twice (the second PNG would replace the first), naming up to five of them.
     */
    private static void checkIds(Dataset<Row> ok, String labels) {
        List<String> unsafe = ok.select(LabelTable.IMAGE_ID).javaRDD().map(r -> r.getString(0))
                .filter(id -> id == null || ImageIds.problem(id) != null).take(5);
        if (!unsafe.isEmpty()) {
            String first = unsafe.get(0);
            throw new IllegalArgumentException("export voc: " + labels + " has OK rows whose image_id is not a safe "
                    + "relative path, so their PNGs would be written outside the output folder: " + unsafe.stream()
                    .map(id -> id == null ? "null" : "'" + id.replace("\n", "\\n") + "'").toList()
                    + (first == null ? "" : " ('" + first + "' " + ImageIds.problem(first) + ")"));
        }
        List<Row> twice = ok.groupBy(LabelTable.IMAGE_ID).count().filter(col("count").gt(1)).limit(5).collectAsList();
        if (!twice.isEmpty()) {
            throw new IllegalArgumentException("export voc: " + labels + " has more than one OK row for image_id "
                    + twice.stream().map(r -> "'" + r.getString(0) + "' (" + r.getLong(1) + " rows)").toList()
                    + "; each would overwrite the other's PNG");
        }
    }

    /** {@code staging} takes the place of {@code target}; the previous {@code target} is deleted after. */
    private static void swap(FileSystem fs, Path staging, Path target, boolean exists, PrintStream log)
            throws IOException {
        Path old = null;
        if (exists) {
            old = new Path(HadoopFiles.sibling(target.toString(), "old"));
            if (!fs.rename(target, old)) {
                throw new IOException("export voc: cannot move the previous export " + target + " aside to " + old);
            }
        }
        if (!fs.rename(staging, target)) {
            String restored = old != null && fs.rename(old, target) ? "; the previous export is back in place"
                    : old != null ? "; the previous export is in " + old : "";
            throw new IOException("export voc: cannot rename " + staging + " to " + target + restored);
        }
        if (old != null) {
            long files = fs.getContentSummary(old).getFileCount();
            if (!fs.delete(old, true)) {
                throw new IOException("export voc: the new export is in " + target + " but the previous one could not "
                        + "be deleted from " + old);
            }
            log.printf("export voc: replaced %s (deleted the previous export, %d files)%n", target, files);
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p, Exception primary) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /**
     * The ids of the COCO dataset a run labelled, so its export scores against the original annotations: each
     * image's id and {@code file_name} by the run's {@code image_id} (the file name's stem, as
     * {@code DatasetLister} makes it), and the category ids by name.
     */
    public record CocoIds(String source, Map<String, CocoAnnotations.Image> images, Map<String, Integer> categories) {
        public static CocoIds of(CocoAnnotations coco, String source) {
            Map<String, CocoAnnotations.Image> byId = new HashMap<>();
            for (CocoAnnotations.Image img : coco.images().values()) {
                String name = img.fileName();
                String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
                byId.put(stem, img);
            }
            return new CocoIds(source, byId, coco.categoryIds());
        }

        public static CocoIds read(String annotations, Configuration conf) throws IOException {
            if (!HadoopFiles.exists(annotations, conf)) {
                throw new FileNotFoundException("COCO annotations not found: " + annotations);
            }
            Path p = new Path(HadoopFiles.normalize(annotations));
            try (var in = p.getFileSystem(conf).open(p)) {
                return of(CocoAnnotations.read(in, annotations), annotations);
            }
        }
    }

    /**
     * The COCO annotations a run was labelled from: {@code pseudolabel.job.annotations} of its
     * {@code _MANIFEST.json} (beside {@code labels/}) when its layout was coco; empty for other layouts or a
     * table without a manifest.
     */
    public static Optional<String> cocoAnnotationsOf(String labels, Configuration conf) throws IOException {
        Path dir = new Path(HadoopFiles.normalize(labels));
        if (!dir.getName().equals(LabelTable.LABELS) || dir.getParent() == null) {
            return Optional.empty();
        }
        String manifest = new Path(dir.getParent(), "_MANIFEST.json").toString();
        if (!HadoopFiles.exists(manifest, conf)) {
            return Optional.empty();
        }
        JsonObject m = JsonParser.parseString(HadoopFiles.readString(manifest, conf))
                .getAsJsonObject();
        if (!m.has("config") || m.get("config").isJsonNull()) {
            return Optional.empty();
        }
        // JobConfig.render writes "pseudolabel " before the section's fields without braces around them, so only the
        // first field lands under pseudolabel; read job.* from wherever it is.
        Config c = ConfigFactory.parseString(m.get("config").getAsString());
        String job = c.hasPath("pseudolabel.job") ? "pseudolabel.job" : "job";
        if (!c.hasPath(job + ".layout") || !c.getString(job + ".layout").equals("coco")) {
            return Optional.empty();
        }
        String annotations = c.getString(job + ".annotations");
        if (annotations.contains("***")) {
            throw new IllegalArgumentException("export coco: the annotations of run " + manifest + " are recorded "
                    + "redacted (" + annotations + "); pass --annotations");
        }
        return Optional.of(annotations);
    }

    /** {@link #coco(SparkSession, String, String, List, CocoIds)} numbering images and categories 1..N. */
    public static long coco(SparkSession spark, String labels, String file, List<String> classNames)
            throws IOException {
        return coco(spark, labels, file, classNames, null);
    }

    /**
     * Writes one COCO instances JSON: images, annotations with RLE segmentations as pycocotools writes them,
     * area and bbox of the mask, the detector score, and the categories of the class names. With {@code ids}
     * (a run over a COCO dataset) images keep their COCO id and {@code file_name} and categories their COCO id,
     * so COCOeval scores the export against the original annotations; an image or class the annotations do not
     * have is an error. Without, images are numbered 1..N in image_id order with {@code file_name} the image's
     * path relative to the dataset ({@code image_id} and the file's extension), and categories 1..C in class
     * order. Rows stream to the driver one partition at a time.
     */
    public static long coco(SparkSession spark, String labels, String file, List<String> classNames, CocoIds ids)
            throws IOException {
        if (ids != null) {
            List<String> missing = classNames.stream().filter(n -> !ids.categories().containsKey(n)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("export coco: classes " + missing + " are not categories of "
                        + ids.source());
            }
        }
        Dataset<Row> rows = spark.read().parquet(labels).filter(LabelTable.ok())
                .select(LabelTable.IMAGE_ID, LabelTable.URI, LabelTable.WIDTH, LabelTable.HEIGHT, LabelTable.INSTANCES).orderBy(LabelTable.IMAGE_ID);
        Path target = new Path(HadoopFiles.normalize(file));
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = target.getFileSystem(conf);
        if (fs instanceof LocalFileSystem local) {
            fs = local.getRawFileSystem(); // no .crc file beside the JSON
        }
        if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
            throw new IllegalArgumentException("export coco: " + file + " is a folder; --output names the JSON file");
        }
        // Written beside the target and renamed over it once complete: a failed export leaves the previous
        // file whole.
        Path tmp = new Path(HadoopFiles.sibling(target.toString(), "tmp"));
        long annotations;
        try {
            spark.sparkContext().setJobDescription("export coco: " + file);
            annotations = writeCoco(rows, labels, classNames, ids, fs, tmp);
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("export coco: cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("export coco: cannot rename " + tmp + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(fs, tmp, e);
            throw e;
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        return annotations;
    }

    private static long writeCoco(Dataset<Row> rows, String labels, List<String> classNames, CocoIds ids,
            FileSystem fs, Path tmp) throws IOException {
        long annotations;
        try (FSDataOutputStream stream = fs.create(tmp, false);
                JsonWriter json = new JsonWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8))) {
            json.beginObject();
            json.name("info").beginObject().name("description").value("pseudolabel export of " + labels).endObject();
            Map<String, Long> imageIds = writeImages(json, rows, ids);
            annotations = writeAnnotations(json, rows, imageIds, classNames, ids);
            json.name("categories").beginArray();
            for (int i = 0; i < classNames.size(); i++) {
                json.beginObject().name("id").value(categoryId(i + 1, classNames, ids)).name("name")
                        .value(classNames.get(i)).endObject();
            }
            json.endArray();
            json.endObject();
        }
        return annotations;
    }

    /** COCO's images: the run's COCO ids and file names where it labelled a COCO set, else 1, 2, ...; by image id. */
    private static Map<String, Long> writeImages(JsonWriter json, Dataset<Row> rows, CocoIds ids) throws IOException {
        Map<String, Long> imageIds = new TreeMap<>();
        json.name("images").beginArray();
        Iterator<Row> it = rows.select(LabelTable.IMAGE_ID, LabelTable.URI, LabelTable.WIDTH, LabelTable.HEIGHT)
                .toLocalIterator();
        long next = 1;
        while (it.hasNext()) {
            Row r = it.next();
            String imageId = r.getString(0);
            String uri = r.getString(1);
            long id;
            String fileName;
            if (ids != null) {
                CocoAnnotations.Image img = ids.images().get(imageId);
                if (img == null) {
                    throw new IllegalArgumentException("export coco: image " + imageId + " (" + uri + ") is not "
                            + "in " + ids.source());
                }
                id = img.id();
                fileName = img.fileName();
            } else {
                id = next++;
                String name = uri.substring(uri.lastIndexOf('/') + 1);
                fileName = imageId + (name.contains(".") ? name.substring(name.lastIndexOf('.')) : "");
            }
            imageIds.put(imageId, id);
            json.beginObject().name("id").value(id).name("file_name").value(fileName)
                    .name("width").value(r.getInt(2)).name("height").value(r.getInt(3)).endObject();
        }
        json.endArray();
        return imageIds;
    }

    /** One COCO annotation per instance: its RLE, area, bounding box and score; returns how many. */
    private static long writeAnnotations(JsonWriter json, Dataset<Row> rows, Map<String, Long> imageIds,
            List<String> classNames, CocoIds ids) throws IOException {
        long annotations = 0;
        json.name("annotations").beginArray();
        Iterator<Row> all = rows.toLocalIterator();
        while (all.hasNext()) {
            Row r = all.next();
            long imageId = imageIds.get(r.getString(0));
            for (Row inst : r.<Row>getList(4)) {
                Row rle = inst.getAs("rle");
                List<Integer> size = rle.getList(0);
                CocoRle.Rle value = new CocoRle.Rle(size.get(0), size.get(1), rle.getString(1));
                BitMask mask = CocoRle.decode(value);
                var bounds = mask.bounds();
                json.beginObject().name("id").value(++annotations).name("image_id").value(imageId)
                        .name("category_id").value(categoryId(inst.getAs("class_id"), classNames, ids))
                        .name("segmentation").beginObject()
                        .name("size").beginArray().value(value.height()).value(value.width()).endArray()
                        .name("counts").value(value.counts()).endObject()
                        .name("area").value(mask.area());
                json.name("bbox").beginArray();
                if (bounds.isPresent()) {
                    var b = bounds.get();
                    json.value(b.x1()).value(b.y1()).value(b.width()).value(b.height());
                } else {
                    json.value(0).value(0).value(0).value(0);
                }
                json.endArray().name("iscrowd").value(0).name("score").value((float) inst.getAs("det_score"))
                        .endObject();
            }
        }
        json.endArray();
        return annotations;
    }

    /** The category id of class {@code classId} (1-based in {@code classNames}): its COCO id, or itself. */
    private static int categoryId(int classId, List<String> classNames, CocoIds ids) {
        if (classId < 1 || classId > classNames.size()) {
            throw new IllegalArgumentException("export coco: class_id " + classId + " is outside the " + classNames.size()
                    + " classes given (--classes must be the run's class list)");
        }
        return ids == null ? classId : ids.categories().get(classNames.get(classId - 1));
    }
}
