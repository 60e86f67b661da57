package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * ResNet-18/34/50/101 at output stride 16: the stem (7x7/2 conv, BN, ReLU, 3x3/2 max pool) and four
 * stages at strides 4, 8, 16 and 16 — the last stage is dilated (rate 2) instead of strided, its first
 * unit keeping rate 1 as torchvision's {@code replace_stride_with_dilation} does.
 *
 * <p>Input {@code [B,3,H,W]}; output {@code (low, high)}: stage 1 features {@code [B,Cl,H/4,W/4]} and
 * stage 4 features {@code [B,Ch,H/16,W/16]} (sizes rounded up for H, W not divisible by 16).
 */
public final class ResNetBackbone extends AbstractBlock {

    private final Block stem;
    private final Block[] stages = new Block[4];

    public ResNetBackbone(SegmenterConfig config) {
        int base = config.baseChannels();
        boolean bottleneck = config.bottleneck();
        int expansion = bottleneck ? 4 : 1;
        stem = addChildBlock("stem", new SequentialBlock()
                .add(Layers.convBnRelu(base, 7, 2, 1))
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1))));
        int[] depths = config.stageDepths();
        int[] strides = {1, 2, 2, 1};
        int[] dilations = {1, 1, 1, 2};
        int in = base;
        for (int s = 0; s < 4; s++) {
            int width = base << s;
            SequentialBlock stage = new SequentialBlock();
            for (int u = 0; u < depths[s]; u++) {
                int stride = u == 0 ? strides[s] : 1;
                // The dilated stage's first unit keeps the previous rate (1), the others take 2.
                int dilation = u == 0 ? 1 : dilations[s];
                stage.add(new ResidualUnit(in, width, bottleneck, stride, dilation));
                in = width * expansion;
            }
            stages[s] = addChildBlock("layer" + (s + 1), stage);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDList x = stem.forward(ps, inputs, training, params);
        NDList low = stages[0].forward(ps, x, training, params);
        x = low;
        for (int s = 1; s < 4; s++) {
            x = stages[s].forward(ps, x, training, params);
        }
        return new NDList(low.singletonOrThrow(), x.singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] x = stem.getOutputShapes(inputShapes);
        Shape[] low = stages[0].getOutputShapes(x);
        x = low;
        for (int s = 1; s < 4; s++) {
            x = stages[s].getOutputShapes(x);
        }
        return new Shape[] {low[0], x[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stem.initialize(manager, dataType, inputShapes);
        Shape[] x = stem.getOutputShapes(inputShapes);
        for (Block stage : stages) {
            stage.initialize(manager, dataType, x);
            x = stage.getOutputShapes(x);
        }
    }
}
