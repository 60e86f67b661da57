package io.pseudolabel.job.review;

import com.typesafe.config.Config;

/**
 * {@code pseudolabel.review.*}: how large the gallery is.
 *
 * @param worst the K lowest-quality images
 * @param sample K images at random, drawn with {@code seed}
 * @param pageSize tiles per page
 */
public record ReviewSettings(int worst, int sample, long seed, int pageSize) {

    public static ReviewSettings from(Config root) {
        Config r = root.getConfig("pseudolabel.review");
        return new ReviewSettings(r.getInt("worst"), r.getInt("sample"), r.getLong("seed"), r.getInt("page-size"));
    }
}
