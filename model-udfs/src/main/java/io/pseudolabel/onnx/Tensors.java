package io.pseudolabel.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;

/** Named input tensors and output lookup for translators; names are the graph's own. */
public final class Tensors {
    private Tensors() {}

    /** A tensor over {@code data} itself: a direct buffer is handed to ONNX Runtime without a copy. */
    public static NDArray floats(NDManager manager, String name, FloatBuffer data, long... shape) {
        NDArray array = manager.create(data, new Shape(shape));
        array.setName(name);
        return array;
    }

    public static NDArray longs(NDManager manager, String name, LongBuffer data, long... shape) {
        NDArray array = manager.create(data, new Shape(shape));
        array.setName(name);
        return array;
    }

    /** The output called {@code name}; a missing one names what the graph returned instead. */
    public static NDArray output(NDList outputs, String name) {
        NDArray array = outputs.get(name);
        if (array == null) {
            StringBuilder found = new StringBuilder();
            for (NDArray a : outputs) {
                found.append(found.length() == 0 ? "" : ", ").append(a.getName());
            }
            throw new ModelContractException("graph returned no output '" + name + "'; found " + found);
        }
        return array;
    }

    /** Flattens rows of equal length into one array, for a batch tensor. */
    public static float[] concat(List<float[]> rows) {
        int n = rows.isEmpty() ? 0 : rows.get(0).length;
        float[] out = new float[rows.size() * n];
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).length != n) {
                throw new IllegalArgumentException("batch rows differ in length: " + rows.get(i).length + " vs " + n);
            }
            System.arraycopy(rows.get(i), 0, out, i * n, n);
        }
        return out;
    }
}
