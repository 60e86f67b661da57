package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Atrous spatial pyramid pooling: a 1x1 conv branch, three 3x3 branches at dilations 6/12/18, and an
 * image-pooling branch (global average pool, 1x1 conv, ReLU, upsampled back), each to
 * {@code asppChannels}; concatenated and projected by a 1x1 conv + BN + ReLU (+ dropout).
 *
 * <p>The pooling branch's 1x1 conv has a bias and no batch norm: BN over a 1x1 map is degenerate
 * for a batch of one, which a worker's last partial batch can be.
 *
 * <p>Input {@code [B,Cin,h,w]}, output {@code [B,asppChannels,h,w]}.
 */
public final class Aspp extends AbstractBlock {

    private final Block[] branches = new Block[4];
    private final Block pooling;
    private final Block projection;

    public Aspp(SegmenterConfig config) {
        int c = config.asppChannels();
        branches[0] = addChildBlock("b0", Layers.convBnRelu(c, 1, 1, 1));
        for (int i = 0; i < 3; i++) {
            branches[i + 1] = addChildBlock("b" + (i + 1),
                    Layers.convBnRelu(c, 3, 1, SegmenterConfig.ASPP_RATES[i]));
        }
        pooling = addChildBlock("pool", new SequentialBlock()
                .add(Layers.conv1x1WithBias(c))
                .add(Activation.reluBlock()));
        SequentialBlock proj = Layers.convBnRelu(c, 1, 1, 1);
        if (config.dropout() > 0) {
            proj.add(Dropout.builder().optRate(config.dropout()).build());
        }
        projection = addChildBlock("project", proj);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList outs = new NDList(5);
        for (Block b : branches) {
            outs.add(b.forward(ps, inputs, training, params).singletonOrThrow());
        }
        NDArray pooled = x.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray p = pooling.forward(ps, new NDList(pooled), training, params).singletonOrThrow();
        outs.add(p.broadcast(new Shape(p.getShape().get(0), p.getShape().get(1), h, w)));
        NDArray cat = NDArrays.concat(outs, 1);
        return projection.forward(ps, new NDList(cat), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape cat = new Shape(in.get(0), 5L * branchChannels(), in.get(2), in.get(3));
        return projection.getOutputShapes(new Shape[] {cat});
    }

    private long branchChannels() {
        return branches[0].getOutputShapes(new Shape[] {new Shape(1, 1, 1, 1)})[0].get(1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block b : branches) {
            b.initialize(manager, dataType, inputShapes);
        }
        Shape in = inputShapes[0];
        pooling.initialize(manager, dataType, new Shape(in.get(0), in.get(1), 1, 1));
        long c = branches[0].getOutputShapes(inputShapes)[0].get(1);
        projection.initialize(manager, dataType, new Shape(in.get(0), 5 * c, in.get(2), in.get(3)));
    }
}
