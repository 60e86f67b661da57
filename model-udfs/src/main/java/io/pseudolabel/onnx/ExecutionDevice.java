package io.pseudolabel.onnx;

import java.util.Locale;

/** Where ONNX Runtime executes: {@code auto} means the GPU Spark assigned when there is one, else CPU. */
public enum ExecutionDevice {
    AUTO,
    CPU,
    GPU;

    public static ExecutionDevice parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device must be one of auto, cpu, gpu; got '" + value + "'", e);
        }
    }
}
