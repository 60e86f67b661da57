package io.pseudolabel.onnx;

import java.util.Arrays;
import java.util.Locale;

/**
 * One input or output of a graph as ONNX Runtime reports it. Dynamic dimensions are -1.
 *
 * @param type ONNX element type, e.g. FLOAT or INT64
 */
public record TensorSpec(String name, String type, long[] shape) {

    public int rank() {
        return shape.length;
    }

    /** Whether dimension {@code i} is fixed at {@code size} (dynamic dims never are). */
    public boolean fixedAt(int i, long size) {
        return i < shape.length && shape[i] == size;
    }

    @Override
    public String toString() {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(i == 0 ? "" : ",").append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return name + " " + type.toLowerCase(Locale.ROOT) + "[" + dims + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.type.equals(type)
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
