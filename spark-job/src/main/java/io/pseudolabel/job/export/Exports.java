package io.pseudolabel.job.export;

import com.google.gson.stream.JsonWriter;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.CocoRle;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/** Label tables out to the formats training code reads: VOC palette PNGs, COCO instances JSON with RLE. */
public final class Exports {
    private Exports() {}

    /** Writes {@code <dir>/<image_id>.png} for every OK row, in parallel; returns how many. */
    public static long voc(SparkSession spark, String labels, String dir) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
        LongAccumulator written = jsc.sc().longAccumulator("pngs written");
        String out = HadoopFiles.normalize(dir);
        spark.read().parquet(labels).filter(col("status").equalTo("OK")).select("image_id", "semantic_png")
                .javaRDD().foreachPartition(rows -> {
                    Configuration c = conf.value().value();
                    while (rows.hasNext()) {
                        Row r = rows.next();
                        HadoopFiles.writeAtomically(HadoopFiles.child(out, r.getString(0) + ".png"),
                                (byte[]) r.get(1), c);
                        written.add(1);
                    }
                });
        return written.value();
    }

    /**
     * Writes one COCO instances JSON: images (ids 1..N in image_id order), annotations with RLE
     * segmentations as pycocotools writes them, area and bbox of the mask, the detector score, and
     * categories 1..C from the class names. Rows stream to the driver one partition at a time.
     */
    public static long coco(SparkSession spark, String labels, String file, List<String> classNames)
            throws IOException {
        Dataset<Row> rows = spark.read().parquet(labels).filter(col("status").equalTo("OK"))
                .select("image_id", "uri", "width", "height", "instances").orderBy("image_id");
        Path target = new Path(HadoopFiles.normalize(file));
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = target.getFileSystem(conf);
        long annotations = 0;
        try (FSDataOutputStream stream = fs.create(target, true);
                JsonWriter json = new JsonWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8))) {
            json.beginObject();
            json.name("info").beginObject().name("description").value("pseudolabel export of " + labels).endObject();
            Map<String, Long> imageIds = new TreeMap<>();
            json.name("images").beginArray();
            Iterator<Row> it = rows.select("image_id", "uri", "width", "height").toLocalIterator();
            long next = 1;
            while (it.hasNext()) {
                Row r = it.next();
                long id = next++;
                imageIds.put(r.getString(0), id);
                String uri = r.getString(1);
                json.beginObject().name("id").value(id).name("file_name").value(uri.substring(uri.lastIndexOf('/') + 1))
                        .name("width").value(r.getInt(2)).name("height").value(r.getInt(3)).endObject();
            }
            json.endArray();
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
                            .name("category_id").value((int) inst.getAs("class_id"))
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
            json.name("categories").beginArray();
            for (int i = 0; i < classNames.size(); i++) {
                json.beginObject().name("id").value(i + 1).name("name").value(classNames.get(i)).endObject();
            }
            json.endArray();
            json.endObject();
        }
        return annotations;
    }
}
