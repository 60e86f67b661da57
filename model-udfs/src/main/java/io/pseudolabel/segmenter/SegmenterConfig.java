package io.pseudolabel.segmenter;

import java.io.Serializable;

/**
 * Everything that fixes a DeepLabV3+ model and its training: the architecture (ResNet depth, widths,
 * number of classes) and the training recipe (crop, scale range, optimizer, learning rate, batch).
 *
 * <p>Two models with equal architecture fields have the same parameter names and shapes, so their
 * weights can be exchanged and averaged. The values come from {@code pseudolabel.train.*} (spark-job's
 * reference.conf, read by its {@code TrainSettings}); none are defaulted here.
 *
 * @param depth         ResNet depth: 18 or 34 (basic blocks), 50 or 101 (bottlenecks)
 * @param numClasses    classes including background (VOC: 21); label 255 is ignored
 * @param baseChannels  width of the stem and the first stage (64 in the standard ResNets)
 * @param asppChannels  channels of each ASPP branch and of its projection (256 in the paper)
 * @param lowLevelChannels channels the decoder reduces the stride-4 features to (48 in the paper)
 * @param decoderChannels channels of the decoder's two 3x3 convolutions (256 in the paper)
 * @param dropout       dropout rate after the ASPP projection (0 disables it)
 * @param cropSize      side of the square training crop (320 in the paper)
 * @param minScale      smallest random scale of the training augmentation ({@code random} crops)
 * @param maxScale      largest random scale of the training augmentation ({@code random} crops)
 * @param cropMode      how a training crop is taken ({@link CropMode})
 * @param flip          random horizontal flip (probability 1/2) of every training crop
 * @param batchSize     crops per training step (per worker)
 * @param optimizer     Adam or SGD with momentum
 * @param learningRate  base learning rate
 * @param momentum      SGD momentum, or Adam's beta1
 * @param weightDecay   L2 weight decay added to the gradient of weights (not of BN or biases)
 * @param totalSteps    steps of the poly schedule {@code lr * (1 - step/total)^0.9}; 0 keeps lr constant
 * @param seed          seed of the weight initialisation
 */
public record SegmenterConfig(
        int depth,
        int numClasses,
        int baseChannels,
        int asppChannels,
        int lowLevelChannels,
        int decoderChannels,
        float dropout,
        int cropSize,
        float minScale,
        float maxScale,
        CropMode cropMode,
        boolean flip,
        int batchSize,
        Optimizer optimizer,
        float learningRate,
        float momentum,
        float weightDecay,
        int totalSteps,
        long seed) implements Serializable {

    /** The output stride of the backbone: 16 (the last stage is dilated instead of strided). */
    public static final int OUTPUT_STRIDE = 16;
    /** ASPP dilation rates at output stride 16. */
    public static final int[] ASPP_RATES = {6, 12, 18};

    public SegmenterConfig {
        if (depth != 18 && depth != 34 && depth != 50 && depth != 101) {
            throw new IllegalArgumentException("backbone depth must be 18, 34, 50 or 101: " + depth);
        }
        if (numClasses < 2 || numClasses > 255) {
            throw new IllegalArgumentException("numClasses must be 2..255 (255 is the ignore id): " + numClasses);
        }
        positive("baseChannels", baseChannels);
        positive("asppChannels", asppChannels);
        positive("lowLevelChannels", lowLevelChannels);
        positive("decoderChannels", decoderChannels);
        positive("cropSize", cropSize);
        positive("batchSize", batchSize);
        if (cropSize % OUTPUT_STRIDE != 0) {
            throw new IllegalArgumentException("cropSize must be a multiple of 16: " + cropSize);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1): " + dropout);
        }
        if (!(minScale > 0 && maxScale >= minScale)) {
            throw new IllegalArgumentException("need 0 < minScale <= maxScale: " + minScale + ", " + maxScale);
        }
        if (cropMode == null || optimizer == null) {
            throw new IllegalArgumentException("cropMode and optimizer must be given: " + cropMode + ", " + optimizer);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive: " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1): " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay must be >= 0: " + weightDecay);
        }
        if (totalSteps < 0) {
            throw new IllegalArgumentException("totalSteps must be >= 0: " + totalSteps);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
    }

    /** Whether the backbone uses bottleneck blocks (ResNet-50/101). */
    public boolean bottleneck() {
        return depth >= 50;
    }

    /** Residual units per stage. */
    public int[] stageDepths() {
        switch (depth) {
            case 18:
                return new int[] {2, 2, 2, 2};
            case 34:
            case 50:
                return new int[] {3, 4, 6, 3};
            default:
                return new int[] {3, 4, 23, 3};
        }
    }
}
