package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.review.ReviewJob;
import io.pseudolabel.job.review.ReviewSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

@Command(name = "review", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel review --labels URI --output DIR [--images URI] [--worst K] [--sample K] [--class NAME]",
    "  [--compare RUN] [--csv FILE]"},
        description = {"a static gallery (no ground truth): worst label quality first, a random sample,",
            "the images that changed most against another run; --csv lists the worst K"},
        footer = Main.COMMON_HELP)
final class ReviewCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--labels", paramLabel = "URI", required = true, description = "a run or an output root")
    String labels;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "the gallery's folder")
    String output;

    @Option(names = "--images", paramLabel = "URI", description = "where the run's images are now")
    String images;

    @Option(names = "--worst", paramLabel = "K", description = "pseudolabel.review.worst")
    String worst;

    @Option(names = "--sample", paramLabel = "K", description = "pseudolabel.review.sample")
    String sample;

    @Option(names = "--class", paramLabel = "NAME", description = "only images with this class")
    String className;

    @Option(names = "--compare", paramLabel = "RUN", description = "the run to compare with")
    String compare;

    @Option(names = "--csv", paramLabel = "FILE", description = "the worst K as CSV")
    String csv;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        Config c = Commands.set(config, "pseudolabel.review.worst", worst);
        c = Commands.set(c, "pseudolabel.review.sample", sample);
        ReviewSettings r = ReviewSettings.from(c);
        ReviewJob.Options o = new ReviewJob.Options(labels, output, images, r.worst(), r.sample(), className, compare,
                csv, r.pageSize(), r.seed(), ImageLimits.from(c));
        ReviewJob.run(Spark.session(common.master(), "pseudolabel review"), o, out);
        return 0;
    }
}
