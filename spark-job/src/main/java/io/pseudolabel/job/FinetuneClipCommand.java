package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.head.FinetuneClipJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

@Command(name = "finetune-clip", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel finetune-clip --images URI --labels CSV|folder --output URI [--classes voc|coco|FILE]",
    "  [--class-map CSV] [--models URI]"},
        description = "train LayerNorm + Linear on CLIP image embeddings of a labelled set (CLIP frozen)",
        footer = Main.COMMON_HELP)
final class FinetuneClipCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--images", paramLabel = "URI", required = true, description = "the labelled images")
    String images;

    @Option(names = "--labels", paramLabel = "CSV|folder", required = true, description = "their image labels")
    String labels;

    @Option(names = "--output", paramLabel = "URI", required = true, description = "where the head goes")
    String output;

    @Option(names = "--classes", paramLabel = "voc|coco|FILE", description = "pseudolabel.job.classes")
    String classes;

    @Option(names = "--class-map", paramLabel = "CSV", description = "the labels' names to the class list's")
    String classMap;

    @Option(names = "--models", paramLabel = "URI", description = "the model directory (its clip/)")
    String models;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        Config c = models == null ? config : Commands.withModels(config, models);
        c = Commands.set(c, "pseudolabel.job.classes", classes);
        try (Commands.Tracked t = new Commands.Tracked("finetune-clip", c, out)) {
            FinetuneClipJob.run(t.session(common.master()), c,
                    new FinetuneClipJob.Options(images, labels, classMap, output), out);
        }
        return 0;
    }
}
