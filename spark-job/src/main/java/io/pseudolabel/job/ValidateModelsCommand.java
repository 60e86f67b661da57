package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.dino.DinoModel;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.sam.SamModel;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

@Command(name = "validate-models", synopsisHeading = "",
        customSynopsis = "usage: pseudolabel validate-models --models DIR",
        description = {"load DIR/clip, DIR/grounding-dino, DIR/sam and print their formats",
            "(SAM: the family, SAM 1 or SAM 2.1 and which export)"},
        footer = Main.COMMON_HELP)
final class ValidateModelsCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--models", paramLabel = "DIR", required = true, description = "the model directory")
    String models;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) {
        LabelerSettings s = ModelLocalizer.localize(LabelerSettings.from(Commands.withModels(config, models)),
                new Configuration());
        RuntimeOptions runtime = s.runtime();
        try (ClipModel clip = ClipModel.load(s.clipPath(), runtime)) {
            out.println("clip:           " + s.clipPath() + "\n  " + clip.describe());
        }
        try (DinoModel dino = DinoModel.load(s.dinoPath(), runtime, s.dino())) {
            out.println("grounding-dino: " + s.dinoPath() + "\n  " + dino.describe());
        }
        try (SamModel sam = SamModel.load(s.samPath(), runtime, s.sam())) {
            out.println("sam:            " + s.samPath() + "\n  family: " + sam.format().family() + "\n  "
                    + sam.describe());
        }
        out.println("all three model directories match a known contract");
        return 0;
    }
}
