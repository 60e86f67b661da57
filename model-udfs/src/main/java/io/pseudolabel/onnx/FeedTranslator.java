package io.pseudolabel.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The thin DJL translator every adapter uses: named arrays in, named float arrays out. All model
 * specific work (resizing, prompts, box decoding, mask post-processing) is pure code around it.
 * Inputs are copied into the calling thread's {@link InputBuffers}, so a call leaves no native garbage.
 */
final class FeedTranslator implements NoBatchifyTranslator<Feed, Fetched> {
    private final InputBuffers buffers;

    FeedTranslator(InputBuffers buffers) {
        this.buffers = buffers;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Feed feed) {
        NDManager manager = ctx.getNDManager();
        NDList list = new NDList();
        int slot = 0;
        for (Map.Entry<String, Object> e : feed.data().entrySet()) {
            long[] shape = feed.shapes().get(e.getKey());
            NDArray array;
            if (e.getValue() instanceof float[] f) {
                array = Tensors.floats(manager, e.getKey(), buffers.floats(slot, f), shape);
            } else if (e.getValue() instanceof float[][] parts) {
                array = Tensors.floats(manager, e.getKey(), buffers.floats(slot, parts), shape);
            } else {
                array = Tensors.longs(manager, e.getKey(), buffers.longs(slot, (long[]) e.getValue()), shape);
            }
            list.add(array);
            slot++;
        }
        return list;
    }

    @Override
    public Fetched processOutput(TranslatorContext ctx, NDList list) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (NDArray a : list) {
            NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
            values.put(a.getName(), f.toFloatArray());
            shapes.put(a.getName(), a.getShape().getShape());
        }
        return new Fetched(values, shapes);
    }
}
