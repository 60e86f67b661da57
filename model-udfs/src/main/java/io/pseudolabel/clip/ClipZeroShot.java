package io.pseudolabel.clip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** CLIP's zero-shot arithmetic on plain arrays: normalise, average templates, scale, softmax, pick. */
public final class ClipZeroShot {
    private ClipZeroShot() {}

    /** A copy of {@code v} with unit L2 norm (a zero vector stays zero). */
    public static float[] l2Normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        float[] out = new float[v.length];
        if (sum == 0) {
            return out;
        }
        double inv = 1.0 / Math.sqrt(sum);
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * inv);
        }
        return out;
    }

    /**
     * One embedding per class from {@code templatesPerClass} consecutive prompt embeddings per class:
     * each normalised, averaged, normalised again (OpenAI's prompt-ensemble recipe).
     */
    public static float[][] classEmbeddings(float[][] promptEmbeds, int templatesPerClass) {
        if (templatesPerClass <= 0 || promptEmbeds.length % templatesPerClass != 0) {
            throw new IllegalArgumentException(promptEmbeds.length + " prompt embeddings do not split into groups of "
                    + templatesPerClass);
        }
        int classes = promptEmbeds.length / templatesPerClass;
        float[][] out = new float[classes][];
        for (int c = 0; c < classes; c++) {
            float[] mean = new float[promptEmbeds[c * templatesPerClass].length];
            for (int t = 0; t < templatesPerClass; t++) {
                float[] n = l2Normalize(promptEmbeds[c * templatesPerClass + t]);
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += n[i] / templatesPerClass;
                }
            }
            out[c] = l2Normalize(mean);
        }
        return out;
    }

    /** softmax(scale * cos(image, class_c)) over classes; {@code classEmbeds} must be unit vectors. */
    public static float[] probabilities(float[] imageEmbed, float[][] classEmbeds, float logitScale) {
        float[] img = l2Normalize(imageEmbed);
        double[] logits = new double[classEmbeds.length];
        for (int c = 0; c < classEmbeds.length; c++) {
            if (classEmbeds[c].length != img.length) {
                throw new IllegalArgumentException("image embedding has " + img.length + " dims, class " + c + " has "
                        + classEmbeds[c].length);
            }
            double dot = 0;
            for (int i = 0; i < img.length; i++) {
                dot += (double) img[i] * classEmbeds[c][i];
            }
            logits[c] = logitScale * dot;
        }
        return softmax(logits);
    }

    /** Numerically stable softmax (the maximum subtracted first), in double. */
    public static float[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logits) {
            max = Math.max(max, x);
        }
        double[] e = new double[logits.length];
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            e[c] = Math.exp(logits[c] - max);
            sum += e[c];
        }
        float[] p = new float[logits.length];
        for (int c = 0; c < p.length; c++) {
            p[c] = (float) (e[c] / sum);
        }
        return p;
    }

    /** The paper's top-n rule: the {@code topN} most probable classes whose probability is at least {@code minProb}. */
    public static List<Integer> topLabels(float[] probs, int topN, float minProb) {
        Integer[] order = new Integer[probs.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -probs[i]).thenComparingInt(i -> i));
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < order.length && out.size() < topN; i++) {
            if (probs[order[i]] >= minProb) {
                out.add(order[i]);
            }
        }
        return out;
    }
}
