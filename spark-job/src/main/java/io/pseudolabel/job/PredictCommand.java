package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.train.PredictJob;
import io.pseudolabel.job.train.SegmenterModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;

@Command(name = "predict", synopsisHeading = "", customSynopsis =
        "usage: pseudolabel predict --model DIR --images URI --output URI [--layout folder|voc] [--split NAME] [--png]",
        description = "segment a dataset with a trained model", footer = Main.COMMON_HELP)
final class PredictCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "a trained model")
    String model;

    @Option(names = "--images", paramLabel = "URI", required = true, description = "the dataset")
    String images;

    @Option(names = "--output", paramLabel = "URI", required = true, description = "the predictions' table")
    String output;

    @Option(names = "--layout", paramLabel = "folder|voc", description = "pseudolabel.job.layout")
    String layout;

    @Option(names = "--split", paramLabel = "NAME", description = "pseudolabel.job.split")
    String split;

    @Option(names = "--png", description = "also write palette PNGs")
    boolean png;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        Config c = Commands.set(config, "pseudolabel.job.layout", layout);
        c = Commands.set(c, "pseudolabel.job.split", split);
        try (Commands.Tracked t = new Commands.Tracked("predict", c, out)) {
            SparkSession spark = t.session(common.master());
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            SegmenterModel m = SegmenterModel.read(model, hadoop);
            JobSettings job = JobSettings.from(c);
            List<ImageRef> refs = DatasetLister.list(job.layout(), images, job.split(), null, false, false, hadoop);
            String table = PredictJob.run(spark, m, refs, output, png, ImageLimits.from(c));
            out.printf("predicted %d images: %s%n", refs.size(), table);
        }
        return 0;
    }
}
