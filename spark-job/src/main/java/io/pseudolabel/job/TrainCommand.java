package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.common.Spark;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.job.train.DistributedTrainer;
import io.pseudolabel.job.train.TrainSettings;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

@Command(name = "train", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel train --labels URI --output URI [--images DIR] [--rounds R] [--local-steps K]",
    "  [--workers W] [--classes voc|coco|FILE] [--val-gt VOC_ROOT [--split val]]",
    "  [--backbone-weights SAFETENSORS_URI]"},
        description = {"DeepLabV3+ on the pseudo-labels, R synchronous rounds over W Spark workers;",
            "the backbone from a torchvision/timm ResNet safetensors file (e.g. ImageNet)"},
        footer = Main.COMMON_HELP)
final class TrainCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--labels", paramLabel = "URI", required = true, description = "a run or an output root")
    String labels;

    @Option(names = "--output", paramLabel = "URI", required = true, description = "checkpoints and the model")
    String output;

    @Option(names = "--images", paramLabel = "DIR", description = "where the run's images are now")
    String images;

    @Option(names = "--rounds", paramLabel = "R", description = "pseudolabel.train.rounds")
    String rounds;

    @Option(names = "--local-steps", paramLabel = "K", description = "pseudolabel.train.local-steps")
    String localSteps;

    @Option(names = "--workers", paramLabel = "W", description = "pseudolabel.train.workers")
    String workers;

    @Option(names = "--classes", paramLabel = "voc|coco|FILE", description = "pseudolabel.job.classes")
    String classes;

    @Option(names = "--val-gt", paramLabel = "VOC_ROOT", description = "score the model on this VOC split")
    String valGt;

    @Option(names = "--split", paramLabel = "NAME", description = "the --val-gt split (val)")
    String split;

    @Option(names = "--backbone-weights", paramLabel = "SAFETENSORS_URI", description = "pseudolabel.train.backbone-weights")
    String backboneWeights;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        Config c = Commands.set(config, "pseudolabel.job.classes", classes);
        c = Commands.set(c, "pseudolabel.train.backbone-weights", backboneWeights);
        c = Commands.set(c, "pseudolabel.train.rounds", rounds);
        c = Commands.set(c, "pseudolabel.train.local-steps", localSteps);
        c = Commands.set(c, "pseudolabel.train.workers", workers);
        List<String> names = ClassList.resolve(JobSettings.from(c).classes());
        SparkSession spark = Spark.session(common.master(), "pseudolabel train");
        String table = Runs.resolveLabels(labels, spark.sparkContext().hadoopConfiguration());
        TrainSettings ts = TrainSettings.from(c, names.size() + 1);
        DistributedTrainer.Result r = DistributedTrainer.train(spark, ts, names, table, images, output,
                ImageLimits.from(c), out);
        out.printf(Locale.ROOT, "trained %d rounds in %.1f s (%.1f samples/s); model: %s%n", r.rounds(),
                r.millis() / 1000.0, r.samplesPerSecond(), r.modelDir());
        if (valGt != null) {
            String valSplit = split == null ? "val" : split;
            EvalResult e = Commands.predictAndEval(spark, r.modelDir(), valGt, valSplit,
                    HadoopFiles.child(output, "val"), names, c);
            out.println("segmenter on " + valSplit + ":");
            out.print(e.table());
        }
        return 0;
    }
}
