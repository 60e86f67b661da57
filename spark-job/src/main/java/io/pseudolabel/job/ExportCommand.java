package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.export.Exports;
import io.pseudolabel.job.run.Runs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;

@Command(name = "export", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel export voc|coco --labels URI --output PATH [--classes voc|coco|FILE]",
    "  voc: [--split NAME (train)] [--overwrite]: SegmentationClass/<id>.png and",
    "  ImageSets/Segmentation/<split>.txt; coco: [--annotations COCO_JSON] one instances",
    "  JSON with RLE masks, ids of the run's COCO annotations when it labelled a COCO set"},
        description = "write a run's labels as a VOC folder or a COCO instances file",
        footer = Main.COMMON_HELP)
final class ExportCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "voc|coco", description = "the format")
    String format;

    @Option(names = "--labels", paramLabel = "URI", required = true, description = "a run or an output root")
    String labels;

    @Option(names = "--output", paramLabel = "PATH", required = true, description = "the folder (voc) or file (coco)")
    String output;

    @Option(names = "--classes", paramLabel = "voc|coco|FILE", description = "pseudolabel.job.classes (coco)")
    String classes;

    @Option(names = "--split", paramLabel = "NAME", description = "voc: the split file's name (train)")
    String split;

    @Option(names = "--overwrite", description = "voc: replace what the folder holds")
    boolean overwrite;

    @Option(names = "--annotations", paramLabel = "COCO_JSON", description = "coco: the ids to keep")
    String annotations;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        if (format == null || !List.of("voc", "coco").contains(format)) {
            throw new UsageException("export needs a format: export voc|coco --labels URI --output PATH");
        }
        boolean voc = format.equals("voc");
        if (voc && annotations != null) {
            throw new UsageException("--annotations is for export coco");
        }
        if (!voc && (split != null || overwrite)) {
            throw new UsageException(split != null ? "--split is for export voc"
                    : "export coco replaces its --output file anyway; --overwrite is for export voc");
        }
        try (Commands.Tracked t = new Commands.Tracked("export " + format, config, out)) {
            SparkSession spark = t.session(common.master());
            String table = Runs.resolveLabels(labels, spark.sparkContext().hadoopConfiguration());
            return voc ? voc(spark, table, config, out) : coco(spark, table, config, out);
        }
    }

    private int voc(SparkSession spark, String table, Config config, PrintStream out) throws Exception {
        String name = split == null ? "train" : split;
        long n = Exports.voc(spark, table, output, name, overwrite, Commands.stopTimeoutMillis(config), out);
        out.printf("wrote %d palette PNGs to %s/%s, their ids to %s/%s/%s.txt%n", n, output,
                Exports.SEGMENTATION_CLASS, output, Exports.SEGMENTATION_SETS, name);
        return 0;
    }

    private int coco(SparkSession spark, String table, Config config, PrintStream out) throws Exception {
        Config c = Commands.set(config, "pseudolabel.job.classes", classes);
        List<String> names = ClassList.resolve(JobSettings.from(c).classes());
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        // A run over a COCO dataset keeps its image and category ids, so COCOeval scores it against them.
        String given = annotations != null ? annotations : Exports.cocoAnnotationsOf(table, hadoop).orElse(null);
        Exports.CocoIds ids = given == null ? null : Exports.CocoIds.read(given, hadoop);
        long n = Exports.coco(spark, table, output, names, ids);
        out.printf("wrote %d annotations to %s%s%n", n, output,
                ids == null ? "" : " (image and category ids of " + given + ")");
        return 0;
    }
}
