package io.pseudolabel.job;

import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.classify.ClassifyJob;
import io.pseudolabel.job.classify.ClassifyResult;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code eval-classify --images URI --layout voc|coco [--split val] [--annotations COCO_JSON]
 * [--classes voc|coco|FILE] (--models DIR | --labels TABLE) [--output DIR]}: prints per-class AP and mAP,
 * writes {@code classify-eval.json} and {@code classify-eval.md} to the output directory.
 */
public final class ClassifyCommand {
    /** The options eval-classify takes besides the common ones. */
    public static final Set<String> OPTIONS = Set.of("images", "layout", "split", "annotations", "classes", "models",
            "labels", "output", "clip-head");
    static final String JSON = "classify-eval.json";
    static final String MARKDOWN = "classify-eval.md";

    private ClassifyCommand() {}

    public static int run(CommandLine cl, Config config, Supplier<SparkSession> session, PrintStream out)
            throws IOException {
        if (cl.get("models") != null && cl.get("labels") != null) {
            throw new UsageException("eval-classify scores with CLIP (--models) or reads a label table "
                    + "(--labels), not both");
        }
        if (cl.get("clip-head") != null && cl.get("labels") != null) {
            throw new UsageException("--clip-head scores with CLIP; a label table (--labels) already "
                    + "holds its scores");
        }
        String images = cl.require("images");
        Config c = set(config, "pseudolabel.job.layout", cl.get("layout"));
        // Classification is measured on held-out images: val unless told otherwise.
        c = set(c, "pseudolabel.job.split", cl.get("split", "val"));
        c = set(c, "pseudolabel.job.annotations", cl.get("annotations"));
        c = set(c, "pseudolabel.job.classes", cl.get("classes"));
        c = set(c, "pseudolabel.models.dir", cl.get("models"));
        String head = clipHead(cl, config, out);
        SparkSession spark = session.get();
        ClassifyResult r = ClassifyJob.run(spark, c, new ClassifyJob.Options(images, cl.get("labels"), head), out);
        out.println("scores:       " + r.scores());
        out.println("ground truth: " + r.groundTruth());
        out.print(r.table());
        out.printf(Locale.ROOT, "evaluated %d images in %.1f s%n", r.numImages(), r.millis() / 1000.0);
        if (cl.get("output") != null) {
            var hadoop = spark.sparkContext().hadoopConfiguration();
            String json = HadoopFiles.child(cl.get("output"), JSON);
            String md = HadoopFiles.child(cl.get("output"), MARKDOWN);
            HadoopFiles.writeAtomically(json, r.toJson().getBytes(StandardCharsets.UTF_8), hadoop);
            HadoopFiles.writeAtomically(md, r.toMarkdown().getBytes(StandardCharsets.UTF_8), hadoop);
            out.println("json: " + json);
            out.println("markdown: " + md);
        }
        return 0;
    }

    /**
     * {@code --clip-head}, else {@code pseudolabel.job.clip-head} from the configuration (as {@code label} reads
     * it); null for zero-shot. A configured head is not used to score a label table, and the output says so.
     */
    static String clipHead(CommandLine cl, Config config, PrintStream out) {
        if (cl.get("clip-head") != null) {
            return cl.get("clip-head");
        }
        String configured = config.getString("pseudolabel.job.clip-head");
        if (configured.isBlank()) {
            return null;
        }
        if (cl.get("labels") != null) {
            out.println("pseudolabel.job.clip-head = " + configured + " is not used: --labels scores a label table");
            return null;
        }
        return configured;
    }

    private static Config set(Config c, String key, String value) {
        return value == null ? c : c.withValue(key, ConfigValueFactory.fromAnyRef(value));
    }
}
