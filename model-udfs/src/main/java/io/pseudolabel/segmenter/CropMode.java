package io.pseudolabel.segmenter;

import com.google.gson.annotations.SerializedName;

import java.util.Locale;

/** How a training crop is taken ({@code pseudolabel.train.crop-mode}); the key is also its name in saved models. */
public enum CropMode {
    /** Scale by a random factor in [minScale, maxScale), then a random crop window. */
    @SerializedName("random")
    RANDOM("random"),
    /** Shorter side resized to the crop size, then the centre window (the paper's section 4.2). */
    @SerializedName("resize-center")
    RESIZE_CENTER("resize-center");

    private final String key;

    CropMode(String key) {
        this.key = key;
    }

    /** The value as {@code reference.conf} and {@code segmenter.json} spell it. */
    public String key() {
        return key;
    }

    public static CropMode parse(String s) {
        for (CropMode m : values()) {
            if (m.key.equals(s.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("crop mode must be random or resize-center: '" + s + "'");
    }
}
