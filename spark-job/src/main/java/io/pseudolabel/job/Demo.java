package io.pseudolabel.job;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the demo finds the committed fixture models: next to the checkout the launcher runs from. */
final class Demo {
    private Demo() {}

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
