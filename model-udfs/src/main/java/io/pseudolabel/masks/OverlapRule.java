package io.pseudolabel.masks;

import java.util.Arrays;
import java.util.Locale;

/** How {@link SemanticComposer} settles pixels claimed by more than one instance ({@code grouping.overlap}). */
public enum OverlapRule {
    /** The smaller instance wins, so an object in front of a bigger one stays visible (the default). */
    SMALLER_ON_TOP,
    /** The instance with the higher detection score wins. */
    SCORE,
    /** Pixels claimed by two different classes become 255; overlaps within one class are no conflict. */
    IGNORE;

    /** The config spelling: {@code smaller-on-top}, {@code score}, {@code ignore}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static OverlapRule fromConfig(String value) {
        for (OverlapRule r : values()) {
            if (r.configName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("grouping.overlap must be one of "
                + Arrays.stream(values()).map(OverlapRule::configName).toList() + ", got \"" + value + "\"");
    }
}
