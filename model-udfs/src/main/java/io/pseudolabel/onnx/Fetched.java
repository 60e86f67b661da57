package io.pseudolabel.onnx;

import java.util.Map;

/** The float outputs of one graph call by name, with their shapes. */
public record Fetched(Map<String, float[]> values, Map<String, long[]> shapes) {

    public float[] get(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new ModelContractException("graph returned no output '" + name + "'; found " + values.keySet());
        }
        return v;
    }

    public long[] shape(String name) {
        get(name);
        return shapes.get(name);
    }
}
