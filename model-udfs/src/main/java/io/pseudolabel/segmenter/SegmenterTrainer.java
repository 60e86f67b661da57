package io.pseudolabel.segmenter;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.pseudolabel.image.RgbImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

/**
 * A DeepLabV3+ model with its optimizer, in one process, on DJL's PyTorch engine: train steps on
 * augmented crops, predict class maps at the original resolution, and move weights and optimizer state
 * in and out as {@link SegmenterWeights} (or their bytes) so that a distributed driver can broadcast,
 * average and checkpoint them.
 *
 * <p>CPU training needs {@code ONEDNN_MAX_CPU_ISA=AVX2} in the JVM's environment: libtorch 2.7.1's
 * oneDNN AVX-512 convolution backward returns garbage gradients on the AMD EPYC CPUs we checked
 * (nondeterministic, often NaN after a step or two); the AVX2 kernels are exact. The variable is read
 * when libtorch loads, so it must be set before the JVM starts (the launcher and
 * {@code spark.executorEnv} do); without it the constructor logs a warning.
 *
 * <p>Threads: gradient recording is switched on per thread (PyTorch's grad mode is thread-local), so
 * separate trainers may train on separate threads of one JVM; one trainer is not thread-safe.
 */
public final class SegmenterTrainer implements AutoCloseable {

    public static final String ENGINE = "PyTorch";
    /** The environment variable that keeps oneDNN off its AVX-512 kernels (see the class comment). */
    public static final String ONEDNN_ISA_ENV = "ONEDNN_MAX_CPU_ISA";

    private static final Logger LOG = LoggerFactory.getLogger(SegmenterTrainer.class);
    private static volatile boolean isaWarned;

    private final SegmenterConfig config;
    private final Device device;
    private final Model model;
    private final DeepLabV3Plus net;
    private final NDManager manager;
    private final ParameterStore parameterStore;
    private final SegmenterOptimizer optimizer;
    private final Augmenter augmenter;
    /** DJL parameter name to documented name ({@link TensorNames}), in parameter order. */
    private final LinkedHashMap<String, String> names;
    private long samplesSeen;

    /** A fresh model on the engine's default device (a GPU when CUDA natives and a GPU are present). */
    public SegmenterTrainer(SegmenterConfig config) {
        this(config, Engine.getEngine(ENGINE).defaultDevice());
    }

    /** A fresh model on {@code device}, initialised from {@code config.seed()} (He-normal convs). */
    public SegmenterTrainer(SegmenterConfig config, Device device) {
        this.config = config;
        this.device = device;
        Engine engine = Engine.getEngine(ENGINE);
        this.model = Model.newInstance("deeplabv3plus", device, ENGINE);
        this.net = new DeepLabV3Plus(config);
        model.setBlock(net);
        this.manager = model.getNDManager();
        synchronized (SegmenterTrainer.class) {
            engine.setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.cropSize(), config.cropSize()));
        }
        this.parameterStore = new ParameterStore(manager, false);
        this.names = TensorNames.documented(net.getParameters().keys());
        this.optimizer = new SegmenterOptimizer(config, net.getParameters(), names);
        this.augmenter = new Augmenter(config);
        if (!device.isGpu() && System.getenv(ONEDNN_ISA_ENV) == null && !isaWarned) {
            isaWarned = true;
            LOG.warn("{} is not set: on CPUs with AVX-512, libtorch's oneDNN convolution backward can return "
                    + "garbage gradients (NaN losses); start the JVM with {}=AVX2", ONEDNN_ISA_ENV, ONEDNN_ISA_ENV);
        }
    }

    public SegmenterConfig config() {
        return config;
    }

    public Device device() {
        return device;
    }

    /** The DJL block (for inspection; its parameters are this trainer's). */
    public DeepLabV3Plus block() {
        return net;
    }

    /** Optimizer steps taken (restored with the optimizer state). */
    public long steps() {
        return optimizer.step();
    }

    /** Training samples (crops) this instance has trained on. */
    public long samplesSeen() {
        return samplesSeen;
    }

    /** The learning rate the next step uses. */
    public float learningRate() {
        return optimizer.learningRate();
    }

    // ---------------------------------------------------------------------------------------------
    // Training

    /**
     * Trains {@code steps} steps; each draws {@code batchSize} samples from {@code batchSource} (without
     * replacement within a batch when there are enough), augments them with {@code rnd}, and takes one
     * optimizer step. Returns the mean loss of the steps.
     */
    public float trainSteps(List<Sample> batchSource, int steps, Random rnd) {
        if (batchSource.isEmpty()) {
            throw new IllegalArgumentException("no training samples");
        }
        double sum = 0;
        int n = batchSource.size();
        int b = config.batchSize();
        int[] order = new int[n];
        for (int s = 0; s < steps; s++) {
            List<Augmenter.Crop> crops = new ArrayList<>(b);
            if (n >= b) {
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                for (int i = 0; i < b; i++) {
                    int j = i + rnd.nextInt(n - i);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                    crops.add(augmenter.augment(batchSource.get(order[i]), rnd));
                }
            } else {
                for (int i = 0; i < b; i++) {
                    crops.add(augmenter.augment(batchSource.get(rnd.nextInt(n)), rnd));
                }
            }
            sum += trainBatch(crops);
        }
        return steps == 0 ? Float.NaN : (float) (sum / steps);
    }

    /** One optimizer step on prepared crops (all of one size); returns the batch loss. */
    public float trainBatch(List<Augmenter.Crop> crops) {
        if (crops.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int size = crops.get(0).size();
        int b = crops.size();
        float[] x = new float[b * 3 * size * size];
        long[] y = new long[b * size * size];
        for (int i = 0; i < b; i++) {
            Augmenter.Crop c = crops.get(i);
            if (c.size() != size) {
                throw new IllegalArgumentException("crops of sizes " + size + " and " + c.size() + " in one batch");
            }
            System.arraycopy(c.chw(), 0, x, i * 3 * size * size, c.chw().length);
            byte[] lab = c.labels();
            int off = i * size * size;
            for (int p = 0; p < lab.length; p++) {
                int id = lab[p] & 0xff;
                if (id >= config.numClasses() && id != SegmentationLoss.IGNORE) {
                    throw new IllegalArgumentException("label id " + id + " outside 0.." + (config.numClasses() - 1)
                            + " (and 255 = ignore)");
                }
                y[off + p] = id;
            }
        }
        boolean prev = JniUtils.isGradMode();
        float loss;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray input = manager.create(x, new Shape(b, 3, size, size));
            NDArray labels = manager.create(y, new Shape(b, size, size));
            JniUtils.setGradMode(true);
            try {
                NDArray logits = net.forward(parameterStore, new NDList(input), true).singletonOrThrow();
                NDArray l = SegmentationLoss.crossEntropy(logits, labels);
                JniUtils.backward((PtNDArray) l, (PtNDArray) l.onesLike(), false, false);
                loss = l.getFloat();
            } finally {
                JniUtils.setGradMode(false);
            }
            if (!Float.isFinite(loss)) {
                zeroGradients();
                throw new IllegalStateException("loss is " + loss + " at step " + optimizer.step()
                        + "; lower the learning rate");
            }
            optimizer.update();
        } finally {
            JniUtils.setGradMode(prev);
        }
        samplesSeen += b;
        return loss;
    }

    private void zeroGradients() {
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray w = p.getValue().getArray();
            if (p.getValue().requiresGradient() && w.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Inference

    /** Class ids ({@code width*height}, row-major) predicted at the image's own resolution. */
    public byte[] predict(RgbImage image) {
        Augmenter.Padded in = Augmenter.inferenceInput(image);
        boolean prev = JniUtils.isGradMode();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            JniUtils.setGradMode(false);
            NDArray x = manager.create(in.chw(), new Shape(1, 3, in.paddedHeight(), in.paddedWidth()));
            NDArray logits = net.forward(parameterStore, new NDList(x), false).singletonOrThrow();
            long[] arg = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
            byte[] out = new byte[in.width() * in.height()];
            int pw = in.paddedWidth();
            for (int yy = 0; yy < in.height(); yy++) {
                for (int xx = 0; xx < in.width(); xx++) {
                    out[yy * in.width() + xx] = (byte) arg[yy * pw + xx];
                }
            }
            return out;
        } finally {
            JniUtils.setGradMode(prev);
        }
    }

    /** Raw logits {@code [B,C,H,W]} of a normalised NCHW batch in inference mode, as floats (tests, tools). */
    public float[] logits(float[] nchw, int batch, int height, int width) {
        boolean prev = JniUtils.isGradMode();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            JniUtils.setGradMode(false);
            NDArray x = manager.create(nchw, new Shape(batch, 3, height, width));
            return net.forward(parameterStore, new NDList(x), false).singletonOrThrow().toFloatArray();
        } finally {
            JniUtils.setGradMode(prev);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Weights and optimizer state

    /**
     * All parameters (BN running statistics included) by their documented names ({@link TensorNames}:
     * {@code backbone.layer1.0.conv1.weight}, {@code aspp.b1.bn.running_var}, …), in a fixed order.
     */
    public SegmenterWeights snapshot() {
        LinkedHashMap<String, SegmenterWeights.Tensor> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray a = p.getValue().getArray();
            out.put(names.get(p.getKey()), new SegmenterWeights.Tensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return new SegmenterWeights(out);
    }

    /** Every parameter's documented name and shape, in {@link #snapshot()}'s order (no values copied). */
    public LinkedHashMap<String, long[]> parameterShapes() {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            out.put(names.get(p.getKey()), p.getValue().getArray().getShape().getShape());
        }
        return out;
    }

    /** {@link #snapshot()} as bytes. */
    public byte[] weights() {
        return snapshot().toBytes();
    }

    /**
     * Replaces every parameter; {@code weights} must have exactly this model's documented names and shapes.
     *
     * @throws IllegalArgumentException naming the first parameter that is missing or has another shape
     */
    public void load(SegmenterWeights weights) {
        PairList<String, Parameter> params = net.getParameters();
        for (Pair<String, Parameter> p : params) {
            String name = names.get(p.getKey());
            SegmenterWeights.Tensor t = weights.tensors().get(name);
            long[] shape = p.getValue().getArray().getShape().getShape();
            if (t == null || !Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("parameter " + name + " " + Arrays.toString(shape)
                        + (t == null ? " is missing" : " got shape " + Arrays.toString(t.shape()))
                        + " (different architecture?)");
            }
        }
        if (weights.size() != params.size()) {
            List<String> extra = new ArrayList<>(weights.names());
            extra.removeAll(names.values());
            throw new IllegalArgumentException("weights hold " + weights.size() + " tensors, the model has "
                    + params.size() + "; not in the model: " + extra.subList(0, Math.min(5, extra.size())));
        }
        boolean prev = JniUtils.isGradMode();
        try {
            JniUtils.setGradMode(false);
            for (Pair<String, Parameter> p : params) {
                p.getValue().getArray().set(weights.get(names.get(p.getKey())).data());
            }
        } finally {
            JniUtils.setGradMode(prev);
        }
    }

    /** Loads weights written by {@link #weights()}. */
    public void load(byte[] weights) {
        load(SegmenterWeights.fromBytes(weights));
    }

    /**
     * Replaces the backbone with a torchvision/timm ResNet's weights (see {@link BackboneWeights}); the
     * ASPP and decoder keep their initialisation.
     *
     * @return what was loaded and ignored
     * @throws IllegalArgumentException naming the file and tensor when the file does not fit the backbone
     */
    public BackboneWeights.Loaded loadBackbone(Safetensors.File file) {
        BackboneWeights.Loaded loaded = BackboneWeights.apply(snapshot(), file);
        load(loaded.weights());
        return loaded;
    }

    /** The optimizer's state (moments and step count), by parameter name. */
    public SegmenterWeights optimizerSnapshot() {
        return optimizer.state();
    }

    public byte[] optimizerState() {
        return optimizer.state().toBytes();
    }

    public void loadOptimizerState(SegmenterWeights state) {
        boolean prev = JniUtils.isGradMode();
        try {
            JniUtils.setGradMode(false);
            optimizer.load(state);
        } finally {
            JniUtils.setGradMode(prev);
        }
    }

    public void loadOptimizerState(byte[] state) {
        loadOptimizerState(SegmenterWeights.fromBytes(state));
    }

    @Override
    public void close() {
        optimizer.close();
        model.close();
    }
}
