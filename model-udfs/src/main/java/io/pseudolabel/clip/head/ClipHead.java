package io.pseudolabel.clip.head;

import io.pseudolabel.clip.ClipSettings;
import io.pseudolabel.clip.ClipZeroShot;
import io.pseudolabel.clip.ImageClassifier;

import java.util.List;

/**
 * A trained classification head on CLIP's frozen image embeddings (the paper's "normalisation layer and a
 * fully connected head"): {@code logits = W · LayerNorm(l2normalize(image_embeds)) + b}, then a softmax
 * (single-label training) or a sigmoid per class (multi-label training). Plain arrays only, so it ships to
 * executors as it is; {@link ClipHeadFormat} reads and writes it.
 *
 * @param classNames class ids 1..C in this order
 * @param clipFingerprint {@link io.pseudolabel.labeler.ModelFingerprint#ofClip} of the CLIP model whose
 *     image embeddings it was trained on; another CLIP model's embeddings mean nothing to it
 * @param multiLabel sigmoid per class (trained with BCE) rather than a softmax (trained with cross-entropy)
 * @param gamma LayerNorm scale, {@code dim}
 * @param beta LayerNorm shift, {@code dim}
 * @param weight Linear weight, {@code C x dim} row-major (one row per class, as PyTorch's nn.Linear)
 * @param bias Linear bias, {@code C}
 */
public record ClipHead(List<String> classNames, String clipFingerprint, boolean multiLabel, int dim,
        float layerNormEps, float[] gamma, float[] beta, float[] weight, float[] bias) implements ImageClassifier {

    public ClipHead {
        classNames = List.copyOf(classNames);
        int c = classNames.size();
        if (c == 0 || dim <= 0) {
            throw new IllegalArgumentException("a CLIP head needs classes and a positive dimension: " + c + " classes, "
                    + "dim " + dim);
        }
        if (gamma.length != dim || beta.length != dim || weight.length != (long) c * dim || bias.length != c) {
            throw new IllegalArgumentException("CLIP head arrays do not fit " + c + " classes x " + dim
                    + " dims: gamma "
                    + gamma.length + ", beta " + beta.length + ", weight " + weight.length + ", bias " + bias.length);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("LayerNorm eps must be > 0: " + layerNormEps);
        }
    }

    @Override
    public String modelFingerprint() {
        return clipFingerprint;
    }

    @Override
    public float[] probabilities(float[] imageEmbedding) {
        float[] z = logits(imageEmbedding);
        return multiLabel ? sigmoid(z) : softmax(z);
    }

    /** A multi-label head's sigmoids are independent: they get {@code clip-head.min-prob}, not a softmax threshold. */
    @Override
    public float minProb(ClipSettings settings) {
        return multiLabel ? settings.multiLabelMinProb() : settings.minProb();
    }

    /** The Linear layer's output for one raw {@code image_embeds} row. */
    public float[] logits(float[] imageEmbedding) {
        float[] x = features(imageEmbedding);
        int c = classNames.size();
        float[] out = new float[c];
        for (int k = 0; k < c; k++) {
            double s = bias[k];
            int row = k * dim;
            for (int i = 0; i < dim; i++) {
                s += (double) weight[row + i] * x[i];
            }
            out[k] = (float) s;
        }
        return out;
    }

    /** LayerNorm (biased variance, as PyTorch) of the L2-normalised embedding, times gamma plus beta. */
    public float[] features(float[] imageEmbedding) {
        if (imageEmbedding.length != dim) {
            throw new IllegalArgumentException("CLIP head takes " + dim + "-dim image embeddings, got "
                    + imageEmbedding.length + " (a head for another CLIP model?)");
        }
        return layerNorm(ClipZeroShot.l2Normalize(imageEmbedding), gamma, beta, layerNormEps);
    }

    static float[] layerNorm(float[] v, float[] gamma, float[] beta, float eps) {
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean);
        }
        var /= v.length;
        double inv = 1.0 / Math.sqrt(var + eps);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) ((v[i] - mean) * inv * gamma[i] + beta[i]);
        }
        return out;
    }

    static float[] softmax(float[] z) {
        double[] d = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            d[i] = z[i];
        }
        return ClipZeroShot.softmax(d);
    }

    static float[] sigmoid(float[] z) {
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
        }
        return p;
    }
}
