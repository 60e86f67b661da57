package io.pseudolabel.job;

import io.pseudolabel.job.common.UsageException;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalReport;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.data.ClassList;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code eval --pred URI --gt URI [--classes voc|coco|FILE] [--num-classes N] [--split NAME] [--json FILE]
 * [--html FILE] [--samples K]}: prints the table, writes the JSON and the HTML report.
 */
public final class EvalCommand {
    /** The options {@code eval} takes besides the common ones. */
    public static final Set<String> OPTIONS = Set.of("pred", "gt", "classes", "num-classes", "split", "json", "html",
            "samples");

    private EvalCommand() {}

    /** The evaluation {@code cl} asks for; usage errors are thrown before any Spark work. */
    public static EvalJob.Spec spec(CommandLine cl, ImageLimits limits) {
        List<String> names = cl.get("classes") == null ? null : ClassList.resolve(cl.get("classes"));
        int numClasses = intOption(cl, "num-classes", 0);
        int samples = intOption(cl, "samples", EvalJob.DEFAULT_SAMPLES);
        try {
            return new EvalJob.Spec(cl.require("pred"), cl.require("gt"), cl.get("split"), names, numClasses, samples,
                    limits);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    public static int run(CommandLine cl, ImageLimits limits, Supplier<SparkSession> session, PrintStream out)
            throws IOException {
        EvalJob.Spec spec = spec(cl, limits);
        SparkSession spark = session.get();
        EvalResult r = EvalJob.run(spark, spec);
        out.println("prediction:   " + r.predDescription());
        out.println("ground truth: " + r.gtDescription());
        out.print(r.table());
        out.printf(Locale.ROOT, "evaluated %d images in %.1f s%n", r.numImages(), r.millis() / 1000.0);
        if (cl.get("json") != null) {
            Path json = Path.of(cl.get("json"));
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(json, r.toJson(), StandardCharsets.UTF_8);
            out.println("json: " + json);
        }
        if (cl.get("html") != null) {
            Path html = Path.of(cl.get("html"));
            EvalReport.write(spark, r, html);
            out.println("report: " + html);
        }
        return 0;
    }

    private static int intOption(CommandLine cl, String key, int fallback) {
        String v = cl.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " must be a whole number: '" + v + "'");
        }
    }
}
