package io.pseudolabel.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named input tensors for one graph call, built by pure code and handed to {@link FeedTranslator}. */
public final class Feed {
    private final Map<String, Object> data = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    public Feed floats(String name, float[] values, long... shape) {
        check(name, values.length, shape);
        data.put(name, values);
        shapes.put(name, shape);
        return this;
    }

    /**
     * A float input made of {@code parts} laid end to end (e.g. a batch of images), without concatenating them
     * on the heap: they are copied straight into the call's native buffer.
     */
    public Feed floats(String name, List<float[]> parts, long... shape) {
        long length = 0;
        for (float[] p : parts) {
            length += p.length;
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input " + name + ": " + length + " values are more than one tensor holds");
        }
        check(name, (int) length, shape);
        data.put(name, parts.toArray(new float[0][]));
        shapes.put(name, shape);
        return this;
    }

    public Feed longs(String name, long[] values, long... shape) {
        check(name, values.length, shape);
        data.put(name, values);
        shapes.put(name, shape);
        return this;
    }

    private static void check(String name, int length, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException("input " + name + ": " + length + " values for shape "
                    + Arrays.toString(shape));
        }
    }

    Map<String, Object> data() {
        return data;
    }

    Map<String, long[]> shapes() {
        return shapes;
    }
}
