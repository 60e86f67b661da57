package io.pseudolabel.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.job.classify.ClassifyJob;
import io.pseudolabel.job.classify.ClassifyResult;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code eval-classify --images URI --layout voc|coco [--split val] [--annotations COCO_JSON]
 * [--classes voc|coco|FILE] (--models DIR | --labels TABLE) [--output DIR]}: prints per-class AP and mAP,
 * writes {@code classify-eval.json} and {@code classify-eval.md} to the output directory.
 */
@Command(name = "eval-classify", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel eval-classify --images URI --layout voc|coco (--models DIR [--clip-head URI] | --labels URI)",
    "  [--split NAME (val)]",
    "  [--annotations COCO_JSON] [--classes voc|coco|FILE] [--output DIR]"},
        description = "classification AP per class and mAP of image labels against VOC/COCO objects",
        footer = Main.COMMON_HELP)
final class ClassifyCommand implements JobCommand {
    static final String JSON = "classify-eval.json";
    static final String MARKDOWN = "classify-eval.md";

    @Mixin CommonOptions common;

    @Option(names = "--images", paramLabel = "URI", required = true, description = "the dataset")
    String images;

    @Option(names = "--layout", paramLabel = "voc|coco", description = "pseudolabel.job.layout")
    String layout;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = "val", description = "held-out split (val)")
    String split;

    @Option(names = "--annotations", paramLabel = "COCO_JSON", description = "pseudolabel.job.annotations")
    String annotations;

    @Option(names = "--classes", paramLabel = "voc|coco|FILE", description = "pseudolabel.job.classes")
    String classes;

    @Option(names = "--models", paramLabel = "DIR", description = "score with CLIP from DIR/clip")
    String models;

    @Option(names = "--labels", paramLabel = "URI", description = "score a label table instead")
    String labels;

    @Option(names = "--output", paramLabel = "DIR", description = "classify-eval.json and classify-eval.md")
    String output;

    @Option(names = "--clip-head", paramLabel = "URI", description = "a fine-tuned CLIP head")
    String clipHead;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws IOException {
        if (models != null && labels != null) {
            throw new UsageException("eval-classify scores with CLIP (--models) or reads a label table "
                    + "(--labels), not both");
        }
        if (clipHead != null && labels != null) {
            throw new UsageException("--clip-head scores with CLIP; a label table (--labels) already "
                    + "holds its scores");
        }
        Config c = set(config, "pseudolabel.job.layout", layout);
        // Classification is measured on held-out images: val unless told otherwise.
        c = set(c, "pseudolabel.job.split", split);
        c = set(c, "pseudolabel.job.annotations", annotations);
        c = set(c, "pseudolabel.job.classes", classes);
        c = set(c, "pseudolabel.models.dir", models);
        String head = clipHead(config, out);
        try (Commands.Tracked t = new Commands.Tracked("eval-classify", config, out)) {
            SparkSession spark = t.session(common.master());
            ClassifyResult r = ClassifyJob.run(spark, c, new ClassifyJob.Options(images, labels, head), out);
            out.println("scores:       " + r.scores());
            out.println("ground truth: " + r.groundTruth());
            out.print(r.table());
            out.printf(Locale.ROOT, "evaluated %d images in %.1f s%n", r.numImages(), r.millis() / 1000.0);
            if (output != null) {
                var hadoop = spark.sparkContext().hadoopConfiguration();
                String json = HadoopFiles.child(output, JSON);
                String md = HadoopFiles.child(output, MARKDOWN);
                HadoopFiles.writeAtomically(json, r.toJson().getBytes(StandardCharsets.UTF_8), hadoop);
                HadoopFiles.writeAtomically(md, r.toMarkdown().getBytes(StandardCharsets.UTF_8), hadoop);
                out.println("json: " + json);
                out.println("markdown: " + md);
            }
        }
        return 0;
    }

    /**
     * {@code --clip-head}, else {@code pseudolabel.job.clip-head} from the configuration (as {@code label} reads
     * it); null for zero-shot. A configured head is not used to score a label table, and the output says so.
     */
    String clipHead(Config config, PrintStream out) {
        if (clipHead != null) {
            return clipHead;
        }
        String configured = JobSettings.from(config).clipHead();
        if (configured.isBlank()) {
            return null;
        }
        if (labels != null) {
            out.println("pseudolabel.job.clip-head = " + configured + " is not used: --labels scores a label table");
            return null;
        }
        return configured;
    }

    private static Config set(Config c, String key, String value) {
        return value == null ? c : c.withValue(key, ConfigValueFactory.fromAnyRef(value));
    }
}
