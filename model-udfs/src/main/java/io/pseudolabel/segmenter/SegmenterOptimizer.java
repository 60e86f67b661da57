package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam or SGD with momentum over a block's trainable parameters, with state that can be exported and
 * restored by parameter name (DJL's own optimizers keep theirs private and keyed by per-instance ids).
 *
 * <p>SGD (PyTorch's form): {@code buf = momentum * buf + g; w -= lr * buf}. Adam: PyTorch's, with
 * {@code beta1 = momentum}, {@code beta2 = 0.999}, {@code eps = 1e-8}. Weight decay adds
 * {@code weightDecay * w} to the gradient of convolution weights only (not BN, not biases). The learning
 * rate follows {@code lr * (1 - step/totalSteps)^0.9} when {@code totalSteps > 0}.
 *
 * <p>State tensors are named {@code m.<param>} (momentum buffer or first moment), {@code v.<param>}
 * (Adam's second moment) and {@code step} (one float), {@code <param>} being the parameter's
 * documented name ({@link TensorNames}). Call {@link #update} with gradient mode off.
 */
final class SegmenterOptimizer {

    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;
    static final float POLY_POWER = 0.9f;

    private final SegmenterConfig config;
    private final boolean adam;
    private final List<String> names = new ArrayList<>();
    private final Map<String, String> documented;
    private final List<Parameter> params = new ArrayList<>();
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long step;

    SegmenterOptimizer(SegmenterConfig config, PairList<String, Parameter> all, Map<String, String> documented) {
        this.config = config;
        this.documented = documented;
        this.adam = config.optimizer() == Optimizer.ADAM;
        for (Pair<String, Parameter> p : all) {
            if (!p.getValue().requiresGradient()) {
                continue;
            }
            NDArray w = p.getValue().getArray();
            names.add(p.getKey());
            params.add(p.getValue());
            first.put(p.getKey(), w.zerosLike());
            if (adam) {
                second.put(p.getKey(), w.zerosLike());
            }
        }
    }

    long step() {
        return step;
    }

    /** The learning rate the next update uses. */
    float learningRate() {
        if (config.totalSteps() <= 0) {
            return config.learningRate();
        }
        double frac = Math.min(1.0, (double) step / config.totalSteps());
        return (float) (config.learningRate() * Math.pow(1.0 - frac, POLY_POWER));
    }

    /** One update from the accumulated gradients, which are then zeroed. */
    void update() {
        float lr = learningRate();
        step++;
        float b1 = config.momentum();
        float wd = config.weightDecay();
        for (int i = 0; i < params.size(); i++) {
            String name = names.get(i);
            NDArray w = params.get(i).getArray();
            NDArray g = w.getGradient();
            NDArray grad = wd > 0 && name.endsWith("_weight") ? g.add(w.mul(wd)) : g;
            NDArray m = first.get(name);
            if (adam) {
                NDArray v = second.get(name);
                m.muli(b1).addi(grad.mul(1 - b1));
                v.muli(BETA2).addi(grad.square().muli(1 - BETA2));
                double c1 = 1 - Math.pow(b1, step);
                double c2 = 1 - Math.pow(BETA2, step);
                float stepSize = (float) (lr / c1);
                NDArray denom = v.div((float) c2).sqrt().addi(EPS);
                w.subi(m.div(denom).muli(stepSize));
            } else {
                m.muli(b1).addi(grad);
                w.subi(m.mul(lr));
            }
            // Zeroed by libtorch (NaN-safe, unlike g - g).
            JniUtils.zeroGrad((PtNDArray) w);
        }
    }

    SegmenterWeights state() {
        LinkedHashMap<String, SegmenterWeights.Tensor> out = new LinkedHashMap<>();
        out.put("step", new SegmenterWeights.Tensor(new long[] {1}, new float[] {step}));
        for (String n : names) {
            out.put("m." + documented.get(n), tensor(first.get(n)));
            if (adam) {
                out.put("v." + documented.get(n), tensor(second.get(n)));
            }
        }
        return new SegmenterWeights(out);
    }

    void load(SegmenterWeights state) {
        SegmenterWeights mine = state();
        if (!mine.sameLayout(state)) {
            throw new IllegalArgumentException("optimizer state does not fit this model and optimizer ("
                    + config.optimizer() + ")");
        }
        for (String n : names) {
            first.get(n).set(state.get("m." + documented.get(n)).data());
            if (adam) {
                second.get(n).set(state.get("v." + documented.get(n)).data());
            }
        }
        step = Math.round(state.get("step").data()[0]);
    }

    private static SegmenterWeights.Tensor tensor(NDArray a) {
        return new SegmenterWeights.Tensor(a.getShape().getShape(), a.toFloatArray());
    }

    void close() {
        first.values().forEach(NDArray::close);
        second.values().forEach(NDArray::close);
    }
}
