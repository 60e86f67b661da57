package io.pseudolabel.clip.head;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.pseudolabel.clip.ClipZeroShot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Trains a {@link ClipHead} (LayerNorm + Linear) on CLIP image embeddings with DJL's PyTorch engine:
 * cross-entropy on a softmax for single-label sets, binary cross-entropy on a sigmoid per class for
 * multi-label sets; AdamW as {@code torch.optim.AdamW(head.parameters())} (decoupled weight decay on every
 * parameter, bias-corrected moments); the learning rate decays along a cosine from its configured value to 0
 * over all steps ({@code CosineAnnealingLR} stepped per batch). Batches are drawn from a fresh shuffle every
 * epoch; the last batch of an epoch may be short. Everything random comes from {@code train.seed}.
 *
 * <p>Embeddings are L2-normalised here, as {@link ClipHead} does before its LayerNorm.
 */
public final class ClipHeadTrainer {
    public static final String ENGINE = "PyTorch";

    private ClipHeadTrainer() {}

    /** One epoch's mean batch loss and the learning rate of its last step. */
    public record Epoch(int epoch, double loss, double learningRate) {}

    /** The trained head and the loss per epoch. */
    public record Result(ClipHead head, List<Epoch> epochs, int steps) {}

    /** Receives each epoch as it ends (for progress lines). */
    public interface Listener {
        void epochDone(Epoch e);
    }

    /**
     * @param embeddings raw CLIP {@code image_embeds}, one row per training view
     * @param targets one row per view: a one-hot row for single-label, a 0/1 row per class for multi-label
     */
    public static Result train(float[][] embeddings, float[][] targets, List<String> classNames,
            String clipFingerprint, boolean multiLabel, ClipHeadSettings.Train t, Listener listener) {
        int n = embeddings.length;
        if (n == 0) {
            throw new IllegalArgumentException("need some embeddings to train on");
        }
        int dim = embeddings[0].length;
        float[] x = new float[Math.multiplyExact(n, dim)];
        for (int i = 0; i < n; i++) {
            if (embeddings[i].length != dim) {
                throw new IllegalArgumentException("training row " + i + " has " + embeddings[i].length
                        + " embedding dims; expected " + dim);
            }
            System.arraycopy(embeddings[i], 0, x, i * dim, dim);
        }
        return train(x, dim, targets, classNames, clipFingerprint, multiLabel, t, listener);
    }

    /**
     * The same on one row-major array, so a caller holding many views keeps a single copy: {@code embeddings}
     * ({@code targets.length} rows of {@code dim} raw {@code image_embeds}) is L2-normalised in place.
     */
    public static Result train(float[] embeddings, int dim, float[][] targets, List<String> classNames,
            String clipFingerprint, boolean multiLabel, ClipHeadSettings.Train t, Listener listener) {
        int n = targets.length;
        int c = classNames.size();
        checkShapes(embeddings, dim, targets, c);
        float[] x = embeddings;
        for (int i = 0; i < n; i++) {
            normalizeInPlace(x, i * dim, dim);
        }
        float[] y = lossTargets(targets, c, multiLabel);
        ClipHead init = initial(classNames, clipFingerprint, multiLabel, dim, t);
        int perEpoch = (n + t.batchSize() - 1) / t.batchSize();
        int total = perEpoch * t.epochs();
        Random shuffle = new Random(t.seed() * 31 + 7);
        List<Epoch> epochs = new ArrayList<>();
        Engine engine = Engine.getEngine(ENGINE); // loads libtorch before any JniUtils call
        boolean prevGrad = JniUtils.isGradMode();
        try (NDManager m = engine.newBaseManager()) {
            NDArray[] params = {
                m.create(init.gamma(), new Shape(dim)), m.create(init.beta(), new Shape(dim)),
                m.create(init.weight(), new Shape(c, dim)), m.create(init.bias(), new Shape(c))};
            NDArray[] first = new NDArray[params.length];
            NDArray[] second = new NDArray[params.length];
            for (int p = 0; p < params.length; p++) {
                params[p].setRequiresGradient(true);
                first[p] = params[p].zerosLike();
                second[p] = params[p].zerosLike();
            }
            NDArray allX = m.create(x, new Shape(n, dim));
            NDArray allY = m.create(y, new Shape(n, c));
            int step = 0;
            for (int e = 1; e <= t.epochs(); e++) {
                int[] order = permutation(n, shuffle);
                double sum = 0;
                double lr = 0;
                for (int b = 0; b < perEpoch; b++) {
                    int from = b * t.batchSize();
                    int to = Math.min(n, from + t.batchSize());
                    long[] idx = new long[to - from];
                    for (int i = from; i < to; i++) {
                        idx[i - from] = order[i];
                    }
                    lr = cosine(t.learningRate(), step, total);
                    sum += step(m, params, first, second, allX, allY, idx, multiLabel, t, lr, ++step);
                }
                Epoch ep = new Epoch(e, sum / perEpoch, lr);
                epochs.add(ep);
                if (listener != null) {
                    listener.epochDone(ep);
                }
            }
            ClipHead head = new ClipHead(classNames, clipFingerprint, multiLabel, dim, t.layerNormEps(),
                    params[0].toFloatArray(), params[1].toFloatArray(), params[2].toFloatArray(),
                    params[3].toFloatArray());
            return new Result(head, epochs, total);
        } finally {
            JniUtils.setGradMode(prevGrad);
        }
    }

    /** Some rows, {@code dim} floats each, and {@code classes} targets per row. */
    private static void checkShapes(float[] embeddings, int dim, float[][] targets, int classes) {
        int n = targets.length;
        if (n == 0 || dim <= 0 || (long) n * dim != embeddings.length) {
            throw new IllegalArgumentException("need as many target rows as embeddings, and some: "
                    + embeddings.length + " floats of dim " + dim + ", " + n + " targets");
        }
        for (int i = 0; i < n; i++) {
            if (targets[i].length != classes) {
                throw new IllegalArgumentException("training row " + i + " has " + targets[i].length
                        + " targets; expected " + classes);
            }
        }
    }

    /** One AdamW step on the rows {@code idx}; returns the batch loss before the step. */
    private static double step(NDManager m, NDArray[] params, NDArray[] first, NDArray[] second, NDArray allX,
            NDArray allY, long[] idx, boolean multiLabel, ClipHeadSettings.Train t, double lr, int stepNo) {
        double loss;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray rows = m.create(idx);
            NDArray xb = allX.get(rows);
            NDArray yb = allY.get(rows);
            JniUtils.setGradMode(true);
            NDArray l;
            try {
                NDArray logits = forward(xb, params, t.layerNormEps());
                l = multiLabel ? bceWithLogits(logits, yb) : crossEntropy(logits, yb);
                JniUtils.backward((PtNDArray) l, (PtNDArray) l.onesLike(), false, false);
            } finally {
                JniUtils.setGradMode(false);
            }
            loss = l.getFloat();
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("CLIP head loss is " + loss + " at step " + stepNo
                        + "; lower pseudolabel.clip-head.train.learning-rate");
            }
            double c1 = 1 - Math.pow(t.beta1(), stepNo);
            double c2 = 1 - Math.pow(t.beta2(), stepNo);
            for (int p = 0; p < params.length; p++) {
                NDArray w = params[p];
                NDArray g = w.getGradient();
                w.muli((float) (1 - lr * t.weightDecay()));
                first[p].muli(t.beta1()).addi(g.mul(1 - t.beta1()));
                second[p].muli(t.beta2()).addi(g.square().muli(1 - t.beta2()));
                NDArray denom = second[p].div((float) c2).sqrt().addi(t.adamEps());
                w.subi(first[p].div(denom).muli((float) (lr / c1)));
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
        return loss;
    }

    /** LayerNorm over the last axis (biased variance), then x W^T + b. */
    static NDArray forward(NDArray x, NDArray[] p, float eps) {
        NDArray mean = x.mean(new int[] {1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {1}, true);
        NDArray norm = centred.div(var.add(eps).sqrt()).mul(p[0]).add(p[1]);
        return norm.matMul(p[2].transpose()).add(p[3]);
    }

    /** Mean over rows of {@code -sum_c y_c log softmax(z)_c}. */
    static NDArray crossEntropy(NDArray logits, NDArray y) {
        return logits.logSoftmax(1).mul(y).sum(new int[] {1}).mean().neg();
    }

    /** Mean over rows and classes of {@code max(z,0) - z y + log(1 + exp(-|z|))} (stable BCE on logits). */
    static NDArray bceWithLogits(NDArray z, NDArray y) {
        return z.maximum(0f).sub(z.mul(y)).add(z.abs().neg().exp().add(1f).log()).mean();
    }

    /** {@code lr * (1 + cos(pi * step / total)) / 2}: CosineAnnealingLR to 0 at step {@code total}. */
    public static double cosine(double lr, int step, int total) {
        return lr * 0.5 * (1 + Math.cos(Math.PI * step / total));
    }

    /**
     * The untrained head: LayerNorm gamma 1, beta 0; Linear weight and bias uniform in
     * {@code [-1/sqrt(dim), 1/sqrt(dim))} (PyTorch's nn.Linear default range), drawn from {@code seed}.
     */
    public static ClipHead initial(List<String> classNames, String clipFingerprint, boolean multiLabel, int dim,
            ClipHeadSettings.Train t) {
        Random rnd = new Random(t.seed());
        int c = classNames.size();
        float bound = (float) (1 / Math.sqrt(dim));
        float[] gamma = new float[dim];
        Arrays.fill(gamma, 1f);
        float[] w = new float[c * dim];
        for (int i = 0; i < w.length; i++) {
            w[i] = (rnd.nextFloat() * 2 - 1) * bound;
        }
        float[] b = new float[c];
        for (int i = 0; i < c; i++) {
            b[i] = (rnd.nextFloat() * 2 - 1) * bound;
        }
        return new ClipHead(classNames, clipFingerprint, multiLabel, dim, t.layerNormEps(), gamma, new float[dim], w,
                b);
    }

    private static int[] permutation(int n, Random rnd) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    /**
     * Row-major targets for the loss: 0/1 per class for BCE; for cross-entropy each row scaled to sum 1, so an
     * image with k labels weighs as much as an image with one (its k classes share the target) instead of k x.
     */
    static float[] lossTargets(float[][] targets, int c, boolean multiLabel) {
        float[] y = new float[Math.multiplyExact(targets.length, c)];
        for (int i = 0; i < targets.length; i++) {
            double sum = 0;
            for (float v : targets[i]) {
                sum += v;
            }
            if (!multiLabel && !(sum > 0)) {
                throw new IllegalArgumentException("training row " + i + " has no positive target");
            }
            float scale = multiLabel ? 1f : (float) (1 / sum);
            for (int k = 0; k < c; k++) {
                y[i * c + k] = targets[i][k] * scale;
            }
        }
        return y;
    }

    /** {@link ClipZeroShot#l2Normalize} of {@code x[from, from + n)}, written back. */
    static void normalizeInPlace(float[] x, int from, int n) {
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += (double) x[i] * x[i];
        }
        double inv = sum == 0 ? 0 : 1.0 / Math.sqrt(sum);
        for (int i = from; i < from + n; i++) {
            x[i] = (float) (x[i] * inv);
        }
    }

    /** {@link #accuracy(ClipHead, float[][], float[][])} on row-major embeddings of {@code dim} floats. */
    public static double accuracy(ClipHead head, float[] embeddings, int dim, float[][] targets) {
        float[][] one = new float[1][];
        long hits = 0;
        long total = 0;
        for (int i = 0; i < targets.length; i++) {
            one[0] = Arrays.copyOfRange(embeddings, i * dim, (i + 1) * dim);
            double a = accuracy(head, one, new float[][] {targets[i]});
            int decisions = head.multiLabel() ? targets[i].length : 1;
            hits += Math.round(a * decisions);
            total += decisions;
        }
        return total == 0 ? Double.NaN : (double) hits / total;
    }

    /**
     * Training-set accuracy of {@code head}: top-1 hits for a single-label head; for a multi-label head, the
     * fraction of (view, class) decisions at probability 0.5 that match the targets.
     */
    public static double accuracy(ClipHead head, float[][] embeddings, float[][] targets) {
        long hits = 0;
        long total = 0;
        for (int i = 0; i < embeddings.length; i++) {
            float[] p = head.probabilities(embeddings[i]);
            if (head.multiLabel()) {
                for (int k = 0; k < p.length; k++) {
                    hits += (p[k] >= 0.5f) == (targets[i][k] > 0.5f) ? 1 : 0;
                    total++;
                }
            } else {
                int best = 0;
                for (int k = 1; k < p.length; k++) {
                    best = p[k] > p[best] ? k : best;
                }
                hits += targets[i][best] > 0.5f ? 1 : 0;
                total++;
            }
        }
        return total == 0 ? Double.NaN : (double) hits / total;
    }
}
