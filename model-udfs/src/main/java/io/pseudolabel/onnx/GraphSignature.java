package io.pseudolabel.onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The named inputs and outputs of one ONNX graph, in graph order. */
public record GraphSignature(Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {

    public GraphSignature {
        inputs = new LinkedHashMap<>(inputs);
        outputs = new LinkedHashMap<>(outputs);
    }

    public boolean hasInput(String name) {
        return inputs.containsKey(name);
    }

    public boolean hasOutput(String name) {
        return outputs.containsKey(name);
    }

    public TensorSpec input(String name) {
        return inputs.get(name);
    }

    public String describe() {
        return "inputs: " + inputs.values().stream().map(TensorSpec::toString).collect(Collectors.joining(", "))
                + "; outputs: " + outputs.values().stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
