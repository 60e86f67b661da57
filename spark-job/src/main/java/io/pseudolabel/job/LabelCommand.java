package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.label.LabelJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

@Command(name = "label", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel label --images URI --models URI --output URI [--layout folder|voc|coco] [--split NAME]",
    "  [--annotations COCO_JSON]",
    "  [--classes voc|coco|FILE] [--supervision none|image-labels|boxes]",
    "  [--run-id ID] [--incremental] [--clip-head URI] [--master URL]"},
        description = "pseudo-label a dataset into a new run of the output root's Parquet table",
        footer = Main.COMMON_HELP)
final class LabelCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--images", paramLabel = "URI", required = true, description = "the dataset")
    String images;

    @Option(names = "--models", paramLabel = "URI", description = "the model directory (pseudolabel.models.dir)")
    String models;

    @Option(names = "--output", paramLabel = "URI", required = true, description = "the output root")
    String output;

    @Option(names = "--layout", paramLabel = "folder|voc|coco", description = "pseudolabel.job.layout")
    String layout;

    @Option(names = "--split", paramLabel = "NAME", description = "pseudolabel.job.split")
    String split;

    @Option(names = "--annotations", paramLabel = "COCO_JSON", description = "pseudolabel.job.annotations")
    String annotations;

    @Option(names = "--classes", paramLabel = "voc|coco|FILE", description = "pseudolabel.job.classes")
    String classes;

    @Option(names = "--supervision", paramLabel = "none|image-labels|boxes", description = "pseudolabel.supervision")
    String supervision;

    @Option(names = "--run-id", paramLabel = "ID", description = "the run's id (default: time and random)")
    String runId;

    @Option(names = "--incremental", description = "carry unchanged images over from the published run")
    boolean incremental;

    @Option(names = "--clip-head", paramLabel = "URI", description = "pseudolabel.job.clip-head")
    String clipHead;

    @Override
    public CommonOptions common() {
        return common;
    }

    /** The configuration with this command line's settings over it. */
    Config config(Config config) {
        Config c = models == null ? config : Commands.withModels(config, models);
        c = Commands.set(c, "pseudolabel.job.layout", layout);
        c = Commands.set(c, "pseudolabel.job.split", split);
        c = Commands.set(c, "pseudolabel.job.annotations", annotations);
        c = Commands.set(c, "pseudolabel.job.classes", classes);
        c = Commands.set(c, "pseudolabel.job.clip-head", clipHead);
        return Commands.set(c, "pseudolabel.supervision", supervision);
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        Config c = config(config);
        SparkSession spark = Spark.session(common.master(), "pseudolabel label");
        out.println("effective configuration:\n" + JobConfig.render(c));
        LabelJob.Summary s = LabelJob.run(spark, c, new LabelJob.Options(images, output, runId, incremental), out);
        Commands.printSummary(s, out);
        return 0;
    }
}
