package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One ResNet unit, {@code relu(body(x) + shortcut(x))}: a basic unit (two 3x3 convs) or a bottleneck
 * (1x1, 3x3, 1x1 with 4x expansion; the stride sits on the 3x3 as in torchvision's ResNet v1.5). The
 * 3x3 convs take the unit's dilation; the shortcut is a strided 1x1 conv + BN when the shape changes.
 */
final class ResidualUnit extends AbstractBlock {

    private final Block body;
    private final Block shortcut;

    ResidualUnit(int inChannels, int width, boolean bottleneck, int stride, int dilation) {
        int out = bottleneck ? width * 4 : width;
        SequentialBlock b = new SequentialBlock();
        if (bottleneck) {
            b.add(Layers.convBnRelu(width, 1, 1, 1))
                    .add(Layers.convBnRelu(width, 3, stride, dilation))
                    .add(Layers.convBn(out, 1, 1, 1));
        } else {
            b.add(Layers.convBnRelu(width, 3, stride, dilation))
                    .add(Layers.convBn(width, 3, 1, dilation));
        }
        body = addChildBlock("body", b);
        shortcut = stride != 1 || inChannels != out
                ? addChildBlock("shortcut", Layers.convBn(out, 1, stride, 1))
                : null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDList y = body.forward(ps, inputs, training, params);
        NDList s = shortcut == null ? inputs : shortcut.forward(ps, inputs, training, params);
        return new NDList(Activation.relu(y.singletonOrThrow().add(s.singletonOrThrow())));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return body.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
