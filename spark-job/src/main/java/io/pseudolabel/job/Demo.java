package io.pseudolabel.job;

import io.pseudolabel.job.common.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the demo finds the committed fixture models: next to the checkout the launcher runs from. */
final class Demo {
    private Demo() {}

    /**
     * The SAM 2.1 fixture {@code demo --sam2[=FAMILY]} labels with: {@code --sam2} or {@code --sam2=onnx-community}
     * the onnx-community export, {@code --sam2=samexporter} samexporter's; null without the option.
     */
    static String sam2Fixture(String option, boolean ownModels) {
        if (option == null) {
            return null;
        }
        if (ownModels) {
            throw new UsageException("demo --sam2 labels with a SAM 2.1 fixture model; with --models DIR, "
                    + "put a SAM 2.1 export in DIR/sam instead");
        }
        String dir = switch (option) {
            case "true", "onnx-community" -> "sam2-hf";
            case "samexporter" -> "sam2-samexporter";
            default -> throw new UsageException("--sam2 takes onnx-community (the default) or "
                    + "samexporter; got '" + option + "'");
        };
        return fixtureModels().resolve(dir).toString();
    }

    static Path fixtureModels() {
        String home = System.getProperty("pseudolabel.home", ".");
        Path p = Path.of(home, "model-udfs", "fixtures", "models").toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("fixture models not found at " + p
                    + "; run the demo from the repository root (./pseudolabel demo) or pass --models DIR");
        }
        return p;
    }
}
