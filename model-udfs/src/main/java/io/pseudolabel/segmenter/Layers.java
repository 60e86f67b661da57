package io.pseudolabel.segmenter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** Small builders shared by the DeepLabV3+ blocks. */
final class Layers {

    /** PyTorch's {@code interpolate} mode for bilinear, as DJL's native bridge numbers it. */
    static final int BILINEAR = 2;

    private Layers() {
    }

    /** A k x k convolution without bias, "same" padding for odd k at the given dilation. */
    static Conv2d conv(int filters, int kernel, int stride, int dilation) {
        int pad = dilation * (kernel - 1) / 2;
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optDilation(new Shape(dilation, dilation))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    /** A 1x1 convolution with bias (classifier, pooling branch). */
    static Conv2d conv1x1WithBias(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(filters).optBias(true).build();
    }

    static BatchNorm batchNorm() {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    }

    /** conv, batch norm, ReLU. */
    static SequentialBlock convBnRelu(int filters, int kernel, int stride, int dilation) {
        return new SequentialBlock()
                .add(conv(filters, kernel, stride, dilation))
                .add(batchNorm())
                .add(Activation.reluBlock());
    }

    /** conv, batch norm (no activation). */
    static Block convBn(int filters, int kernel, int stride, int dilation) {
        return new SequentialBlock().add(conv(filters, kernel, stride, dilation)).add(batchNorm());
    }

    /** Bilinear resize of an NCHW array to {@code h x w} (align_corners=false), with gradients. */
    static NDArray resize(NDArray nchw, long h, long w) {
        Shape s = nchw.getShape();
        if (s.get(2) == h && s.get(3) == w) {
            return nchw;
        }
        return nchw.getNDArrayInternal().interpolation(new long[] {h, w}, BILINEAR, false);
    }
}
