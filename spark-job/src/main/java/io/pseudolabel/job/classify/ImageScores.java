package io.pseudolabel.job.classify;

import java.io.Serializable;

/**
 * One image's score per class (class ids 1..C in list order), or why it has none.
 *
 * @param scores null when {@code error} is set
 */
public record ImageScores(String imageId, float[] scores, String error) implements Serializable {

    public static ImageScores ok(String imageId, float[] scores) {
        return new ImageScores(imageId, scores, null);
    }

    public static ImageScores failed(String imageId, String error) {
        return new ImageScores(imageId, null, error);
    }

    public boolean isFailed() {
        return error != null;
    }
}
