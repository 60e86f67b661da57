package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DeepLabV3+ (Chen et al., 2018): {@link ResNetBackbone} at output stride 16, {@link Aspp} on the
 * stride-16 features, {@link DeepLabDecoder} with the stride-4 features, and a bilinear upsampling of
 * the logits to the input size.
 *
 * <p>Input {@code [B,3,H,W]} (normalised RGB), output logits {@code [B,numClasses,H,W]}. Parameter
 * names start with {@code backbone_}, {@code aspp_} or {@code decoder_}.
 */
public final class DeepLabV3Plus extends AbstractBlock {

    private final SegmenterConfig config;
    private final ResNetBackbone backbone;
    private final Aspp aspp;
    private final DeepLabDecoder decoder;

    public DeepLabV3Plus(SegmenterConfig config) {
        this.config = config;
        backbone = addChildBlock("backbone", new ResNetBackbone(config));
        aspp = addChildBlock("aspp", new Aspp(config));
        decoder = addChildBlock("decoder", new DeepLabDecoder(config));
    }

    public SegmenterConfig config() {
        return config;
    }

    public ResNetBackbone backbone() {
        return backbone;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList feats = backbone.forward(ps, inputs, training, params);
        NDList a = aspp.forward(ps, new NDList(feats.get(1)), training, params);
        NDArray logits = decoder.forward(ps, new NDList(feats.get(0), a.singletonOrThrow()), training, params)
                .singletonOrThrow();
        return new NDList(Layers.resize(logits, x.getShape().get(2), x.getShape().get(3)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), config.numClasses(), in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] feats = backbone.getOutputShapes(inputShapes);
        aspp.initialize(manager, dataType, feats[1]);
        decoder.initialize(manager, dataType, feats[0], aspp.getOutputShapes(new Shape[] {feats[1]})[0]);
    }
}
