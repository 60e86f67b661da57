package io.pseudolabel.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Typed reads of an HF {@code preprocessor_config.json}; every error names the file and the key. */
final class ConfigJson {
    final JsonObject json;
    final String source;

    ConfigJson(JsonObject json, String source) {
        this.json = json;
        this.source = source;
    }

    static ConfigJson read(Path path) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(path + ": expected a JSON object");
            }
            return new ConfigJson(e.getAsJsonObject(), path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read preprocessor config", e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(path + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    static ConfigJson parse(String text, String source) {
        try {
            return new ConfigJson(JsonParser.parseString(text).getAsJsonObject(), source);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(source + ": not a valid JSON object: " + e.getMessage(), e);
        }
    }

    boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    IllegalArgumentException bad(String key, String expected) {
        return new IllegalArgumentException(source + ": key '" + key + "' must be " + expected + ", found " + json.get(key));
    }

    boolean bool(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw bad(key, "true or false");
        }
        return e.getAsBoolean();
    }

    double number(String key, double dflt) {
        if (!has(key)) {
            return dflt;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(key, "a number");
        }
        return e.getAsDouble();
    }

    int positiveInt(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(key, "a positive integer");
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d) || d < 1 || d > 1 << 20) {
            throw bad(key, "a positive integer");
        }
        return (int) d;
    }

    int intOr(String key, int dflt) {
        return has(key) ? positiveInt(json.get(key), key) : dflt;
    }

    /** A key that may be an int or an object; returns the named field of the object, or null. */
    Integer sizeField(String key, String field) {
        if (!has(key)) {
            return null;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonObject()) {
            return null;
        }
        JsonObject o = e.getAsJsonObject();
        return o.has(field) && !o.get(field).isJsonNull() ? positiveInt(o.get(field), key + "." + field) : null;
    }

    Integer plainInt(String key) {
        if (!has(key)) {
            return null;
        }
        JsonElement e = json.get(key);
        if (e.isJsonObject()) {
            return null;
        }
        return positiveInt(e, key);
    }

    float[] triple(String key, float[] dflt) {
        if (!has(key)) {
            return dflt.clone();
        }
        JsonElement e = json.get(key);
        float[] out = new float[3];
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            Arrays.fill(out, e.getAsFloat());
            return out;
        }
        if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) {
            throw bad(key, "a list of 3 numbers");
        }
        for (int i = 0; i < 3; i++) {
            JsonElement v = e.getAsJsonArray().get(i);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                throw bad(key, "a list of 3 numbers");
            }
            // numpy: np.array(mean, dtype=float32) rounds the double to the nearest float
            out[i] = (float) v.getAsDouble();
        }
        return out;
    }

    Resampler.Filter resample(Resampler.Filter dflt) {
        if (!has("resample")) {
            return dflt;
        }
        int code = positiveIntOrZero("resample");
        try {
            return Resampler.Filter.fromPilCode(code);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private int positiveIntOrZero(String key) {
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
            throw bad(key, "an integer PIL resample code");
        }
        return e.getAsInt();
    }
}
