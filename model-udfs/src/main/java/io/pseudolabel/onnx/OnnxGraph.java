package io.pseudolabel.onnx;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.onnxruntime.engine.OrtNDManager;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One loaded ONNX graph: an ORT session we configure ourselves (threads, optimisation level, CUDA on
 * the assigned device) wrapped in a DJL {@link Model}, so callers use DJL predictors and translators
 * while we can still read the graph's typed signature for contract checks at load time.
 */
public final class OnnxGraph implements AutoCloseable {

    private final Path file;
    private final GraphSignature signature;
    private final Model model;

    private OnnxGraph(Path file, GraphSignature signature, Model model) {
        this.file = file;
        this.signature = signature;
        this.model = model;
    }

    public static OnnxGraph load(Path file, RuntimeOptions options) {
        if (!Files.isRegularFile(file)) {
            throw new ModelContractException("model file not found: " + file);
        }
        ExecutionDevice device = options.resolvedDevice();
        OrtSession session = null;
        try {
            // DJL's engine creates the process-wide ORT environment (with its thread pool settings) first.
            Engine.getEngine("OnnxRuntime");
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setOptimizationLevel(options.optLevel());
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            if (options.interOpThreads() > 0) {
                so.setInterOpNumThreads(options.interOpThreads());
            }
            if (device == ExecutionDevice.GPU) {
                // Throws when this ONNX Runtime build has no CUDA provider: asked for a GPU, no fallback.
                so.addCUDA(Math.max(options.gpuId(), 0));
            }
            session = env.createSession(file.toString(), so);
            GraphSignature signature = new GraphSignature(specs(session.getInputInfo()), specs(session.getOutputInfo()));
            Device djlDevice = device == ExecutionDevice.GPU ? Device.gpu(Math.max(options.gpuId(), 0)) : Device.cpu();
            Model model = Model.newInstance(file.getFileName().toString(), djlDevice, "OnnxRuntime");
            model.setBlock(new OrtSymbolBlock(session, (OrtNDManager) model.getNDManager()));
            return new OnnxGraph(file, signature, model);
        } catch (OrtException | IllegalArgumentException e) {
            closeQuietly(session, e);
            String hint = device == ExecutionDevice.GPU
                    ? " (device=gpu needs the CUDA build of ONNX Runtime: build with -Pgpu, and a visible GPU)"
                    : "";
            throw new ModelContractException("cannot load ONNX graph " + file + hint + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(OrtSession session, Exception primary) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                primary.addSuppressed(e);
            }
        }
    }

    private static Map<String, TensorSpec> specs(Map<String, NodeInfo> nodes) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        for (NodeInfo node : nodes.values()) {
            ValueInfo info = node.getInfo();
            if (info instanceof TensorInfo t) {
                out.put(node.getName(), new TensorSpec(node.getName(), t.type.name(), t.getShape()));
            } else {
                out.put(node.getName(), new TensorSpec(node.getName(), info.getClass().getSimpleName(), new long[0]));
            }
        }
        return out;
    }

    public Path file() {
        return file;
    }

    public GraphSignature signature() {
        return signature;
    }

    public <I, O> Predictor<I, O> newPredictor(Translator<I, O> translator) {
        return model.newPredictor(translator);
    }

    /** Runs the graph once. A failure names the graph file and what was fed. */
    public Fetched run(Feed feed) {
        InputBuffers buffers = InputBuffers.acquire();
        try (Predictor<Feed, Fetched> predictor = model.newPredictor(new FeedTranslator(buffers))) {
            return NativeCalls.run(file.toString(), () -> {
                try {
                    return predictor.predict(feed);
                } catch (TranslateException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (RuntimeException e) {
            StringBuilder fed = new StringBuilder();
            feed.shapes().forEach((k, v) -> fed.append(fed.length() == 0 ? "" : ", ").append(k)
                    .append(Arrays.toString(v)));
            throw new ModelContractException("running " + file + " failed on inputs " + fed + ": " + e.getMessage(), e);
        } finally {
            buffers.release(); // the predictor is closed: its input tensors are gone
        }
    }

    /** Fails with the file, the expected names and the names found when an input is missing. */
    public void requireInputs(String role, String... names) {
        for (String name : names) {
            if (!signature.hasInput(name)) {
                throw new ModelContractException(role + " graph " + file + " has no input '" + name + "'; expected "
                        + String.join(", ", names) + "; found " + signature.describe());
            }
        }
    }

    public void requireOutputs(String role, String... names) {
        for (String name : names) {
            if (!signature.hasOutput(name)) {
                throw new ModelContractException(role + " graph " + file + " has no output '" + name + "'; expected "
                        + String.join(", ", names) + "; found " + signature.describe());
            }
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
