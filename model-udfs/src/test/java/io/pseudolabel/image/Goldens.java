package io.pseudolabel.image;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Loads pil_goldens.json, written by src/test/python/make_image_goldens.py with Pillow 9.4. */
final class Goldens {
    private static JsonObject root;

    private Goldens() {
    }

    static synchronized JsonObject root() {
        if (root == null) {
            try (InputStream in = Goldens.class.getResourceAsStream("pil_goldens.json")) {
                root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static float[] hexFloats(String s) {
        ByteBuffer b = ByteBuffer.wrap(hex(s)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
