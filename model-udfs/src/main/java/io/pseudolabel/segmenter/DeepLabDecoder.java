package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The DeepLabV3+ decoder: a 1x1 conv + BN + ReLU reduces the stride-4 features to
 * {@code lowLevelChannels}; the ASPP output is upsampled (bilinear) to their size and concatenated;
 * two 3x3 conv + BN + ReLU and a 1x1 classifier (with bias) give the logits at stride 4.
 *
 * <p>Inputs {@code (low [B,Cl,h4,w4], aspp [B,A,h16,w16])}, output {@code [B,numClasses,h4,w4]}.
 */
public final class DeepLabDecoder extends AbstractBlock {

    private final Block reduce;
    private final Block fuse;
    private final Block classifier;

    public DeepLabDecoder(SegmenterConfig config) {
        reduce = addChildBlock("reduce", Layers.convBnRelu(config.lowLevelChannels(), 1, 1, 1));
        fuse = addChildBlock("fuse", new SequentialBlock()
                .add(Layers.convBnRelu(config.decoderChannels(), 3, 1, 1))
                .add(Layers.convBnRelu(config.decoderChannels(), 3, 1, 1)));
        classifier = addChildBlock("classifier", Layers.conv1x1WithBias(config.numClasses()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray low = reduce.forward(ps, new NDList(inputs.get(0)), training, params).singletonOrThrow();
        NDArray high = Layers.resize(inputs.get(1), low.getShape().get(2), low.getShape().get(3));
        NDArray cat = NDArrays.concat(new NDList(high, low), 1);
        NDList y = fuse.forward(ps, new NDList(cat), training, params);
        return classifier.forward(ps, y, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape low = reduce.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        Shape cat = new Shape(low.get(0), low.get(1) + inputShapes[1].get(1), low.get(2), low.get(3));
        return classifier.getOutputShapes(fuse.getOutputShapes(new Shape[] {cat}));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        reduce.initialize(manager, dataType, inputShapes[0]);
        Shape low = reduce.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        Shape cat = new Shape(low.get(0), low.get(1) + inputShapes[1].get(1), low.get(2), low.get(3));
        fuse.initialize(manager, dataType, cat);
        classifier.initialize(manager, dataType, fuse.getOutputShapes(new Shape[] {cat}));
    }
}
