package io.pseudolabel.onnx;

import java.io.Serializable;

/**
 * How ONNX Runtime sessions are created.
 *
 * @param device where to run; {@code GPU} without CUDA is an error, never a silent CPU fallback
 * @param gpuId the CUDA device id (the address Spark assigned to the task), or -1 for none assigned
 * @param optLevel ORT graph optimisation: NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT (some
 *     quantised exports only load with less than ALL_OPT)
 * @param intraOpThreads threads inside one operator, 0 = ORT's default
 * @param interOpThreads threads across operators, 0 = ORT's default
 */
public record RuntimeOptions(ExecutionDevice device, int gpuId, String optLevel, int intraOpThreads,
        int interOpThreads) implements Serializable {

    public static RuntimeOptions cpu() {
        return new RuntimeOptions(ExecutionDevice.CPU, -1, "ALL_OPT", 0, 0);
    }

    /** The device actually used: AUTO resolves to GPU only when a GPU id was assigned. */
    public ExecutionDevice resolvedDevice() {
        if (device == ExecutionDevice.AUTO) {
            return gpuId >= 0 ? ExecutionDevice.GPU : ExecutionDevice.CPU;
        }
        return device;
    }

    public RuntimeOptions withGpuId(int id) {
        return new RuntimeOptions(device, id, optLevel, intraOpThreads, interOpThreads);
    }

    /** A short key that tells two loaded model sets apart in a per-JVM cache. */
    public String cacheKey() {
        ExecutionDevice d = resolvedDevice();
        return d == ExecutionDevice.GPU ? "gpu:" + Math.max(gpuId, 0) : "cpu";
    }
}
