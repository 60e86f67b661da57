package io.pseudolabel.labeler;

import com.typesafe.config.ConfigFactory;
import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.onnx.RuntimeOptions;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The committed fixture models and the default settings pointed at them. */
public final class Fixtures {
    private Fixtures() {}

    public static Path models() {
        Path p = Path.of("fixtures", "models");
        return p.toFile().isDirectory() ? p.toAbsolutePath() : Path.of("model-udfs", "fixtures", "models").toAbsolutePath();
    }

    public static Path model(String name) {
        return models().resolve(name);
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
                .withRuntime(RuntimeOptions.cpu());
    }

    public static ClipTextEmbeddings text(LabelerSettings s, List<String> classes) {
        try (ClipModel clip = ClipModel.load(s.clipPath(), s.runtime())) {
            return clip.embedClasses(classes, s.clip().templates(), s.clip().textBatchSize(), "test");
        }
    }
}
