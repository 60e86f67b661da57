package io.pseudolabel.labeler;

import com.typesafe.config.ConfigFactory;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.onnx.RuntimeOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The committed fixture models and the default settings pointed at them. */
public final class Fixtures {
    private Fixtures() {}

    /** model-udfs/fixtures/models, from model-udfs/ (its tests), spark-job/ (their tests) or the checkout (bench). */
    public static Path models() {
        for (Path p : List.of(Path.of("fixtures", "models"), Path.of("..", "model-udfs", "fixtures", "models"))) {
            if (p.toFile().isDirectory()) {
                return p.toAbsolutePath().normalize();
            }
        }
        return Path.of("model-udfs", "fixtures", "models").toAbsolutePath();
    }

    public static Path model(String name) {
        return models().resolve(name);
    }

    /** Copies a fixture model directory, so a test can break or change the copy. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** reference.conf's ONNX Runtime settings on the CPU. */
    public static RuntimeOptions cpu() {
        return LabelerSettings.from(ConfigFactory.defaultReference()).runtime().onCpu();
    }

    public static LabelerSettings settings() {
        return settings(Map.of());
    }

    /** Defaults with the fixture models directory and {@code overrides} (keys below pseudolabel.). */
    public static LabelerSettings settings(Map<String, String> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("pseudolabel.models.dir", models().toString());
        overrides.forEach((k, v) -> m.put("pseudolabel." + k, v));
        return LabelerSettings.from(ConfigFactory.parseMap(m).withFallback(ConfigFactory.defaultReference()))
                .withRuntime(cpu());
    }

    public static ClipTextEmbeddings text(LabelerSettings s, List<String> classes) {
        try (ClipModel clip = ClipModel.load(s.clipPath(), s.runtime())) {
            return clip.embedClasses(classes, s.clip().templates(), s.clip().textBatchSize(), "test");
        }
    }
}
