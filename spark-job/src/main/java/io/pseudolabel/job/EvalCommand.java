package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalReport;
import io.pseudolabel.job.eval.EvalResult;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code eval}: prints the table, writes the JSON and the HTML report. */
@Command(name = "eval", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel eval --pred URI --gt URI [--split NAME] [--classes voc|coco|FILE] [--num-classes N]",
    "  [--json FILE] [--html FILE] [--samples K]"},
        description = "mIoU of predictions or pseudo-labels against VOC or COCO ground truth",
        footer = Main.COMMON_HELP)
final class EvalCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--pred", paramLabel = "URI", required = true, description = "a label or prediction table, PNGs")
    String pred;

    @Option(names = "--gt", paramLabel = "URI", required = true, description = "VOC root or COCO instances JSON")
    String gt;

    @Option(names = "--split", paramLabel = "NAME", description = "the VOC split")
    String split;

    @Option(names = "--classes", paramLabel = "voc|coco|FILE", description = "class names")
    String classes;

    @Option(names = "--num-classes", paramLabel = "N", description = "classes without names")
    String numClasses;

    @Option(names = "--json", paramLabel = "FILE", description = "the result as JSON")
    String json;

    @Option(names = "--html", paramLabel = "FILE", description = "the report")
    String html;

    @Option(names = "--samples", paramLabel = "K", description = "sample images in the report")
    String samples;

    @Override
    public CommonOptions common() {
        return common;
    }

    /** The evaluation asked for; usage errors are thrown before any Spark work. */
    EvalJob.Spec spec(ImageLimits limits) {
        List<String> names = classes == null ? null : ClassList.resolve(classes);
        int n = whole("num-classes", numClasses, 0);
        int k = whole("samples", samples, EvalJob.DEFAULT_SAMPLES);
        try {
            return new EvalJob.Spec(pred, gt, split, names, n, k, limits);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        EvalJob.Spec spec = spec(ImageLimits.from(config));
        try (Commands.Tracked t = new Commands.Tracked("eval", config, out)) {
            SparkSession spark = t.session(common.master());
            EvalResult r = EvalJob.run(spark, spec);
            out.println("prediction:   " + r.predDescription());
            out.println("ground truth: " + r.gtDescription());
            out.print(r.table());
            out.printf(Locale.ROOT, "evaluated %d images in %.1f s%n", r.numImages(), r.millis() / 1000.0);
            if (json != null) {
                Path file = Path.of(json);
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(file, r.toJson(), StandardCharsets.UTF_8);
                out.println("json: " + file);
            }
            if (html != null) {
                EvalReport.write(spark, r, Path.of(html));
                out.println("report: " + html);
            }
        }
        return 0;
    }

    private static int whole(String option, String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " must be a whole number: '" + value + "'");
        }
    }
}
