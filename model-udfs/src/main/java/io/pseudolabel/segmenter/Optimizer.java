package io.pseudolabel.segmenter;

import com.google.gson.annotations.SerializedName;

import java.util.Locale;

/** The segmenter's optimizer ({@code pseudolabel.train.optimizer}); the key is also its name in saved models. */
public enum Optimizer {
    /** Adam; {@code momentum} is its beta1. */
    @SerializedName("adam")
    ADAM("adam"),
    /** SGD with momentum. */
    @SerializedName("sgd")
    SGD("sgd");

    private final String key;

    Optimizer(String key) {
        this.key = key;
    }

    /** The value as {@code reference.conf} and {@code segmenter.json} spell it. */
    public String key() {
        return key;
    }

    public static Optimizer parse(String s) {
        for (Optimizer o : values()) {
            if (o.key.equals(s.strip().toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new IllegalArgumentException("optimizer must be adam or sgd: '" + s + "'");
    }
}
