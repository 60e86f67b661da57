package io.pseudolabel.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.io.Serializable;

/**
 * How ONNX Runtime sessions are created.
 *
 * @param device where to run; {@code GPU} without CUDA is an error, never a silent CPU fallback
 * @param gpuId the CUDA device id (the address Spark assigned to the task), or -1 for none assigned
 * @param optLevel ORT graph optimisation ({@code pseudolabel.models.ort.opt-level}; some quantised exports only
 *     load below ALL_OPT)
 * @param intraOpThreads threads inside one operator, 0 = ORT's default
 * @param interOpThreads threads across operators, 0 = ORT's default
 */
public record RuntimeOptions(ExecutionDevice device, int gpuId, OptLevel optLevel, int intraOpThreads,
        int interOpThreads) implements Serializable {

    /** The same settings on the CPU (the driver's models: it is assigned no GPU). */
    public RuntimeOptions onCpu() {
        return new RuntimeOptions(ExecutionDevice.CPU, -1, optLevel, intraOpThreads, interOpThreads);
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
