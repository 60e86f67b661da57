package io.pseudolabel.clip.head;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The CLIP head file: the 8 ASCII bytes {@code PLCLIPHD}, a little-endian uint32 {@code n}, {@code n} bytes
 * of UTF-8 JSON, then float32 little-endian arrays in this order: gamma[dim], beta[dim],
 * weight[classes][dim] (row per class), bias[classes]. The JSON holds {@code format_version} (1),
 * {@code classes}, {@code clip_fingerprint}, {@code multi_label}, {@code dim}, {@code layer_norm_eps},
 * {@code input} and {@code layout} (documentation for readers in other languages) and {@code training}
 * (free-form: settings and final loss; ignored when read). Streams, so it reads and writes through Hadoop's
 * filesystems as well as local files.
 */
public final class ClipHeadFormat {
    static final byte[] MAGIC = "PLCLIPHD".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int MAX_HEADER = 16 << 20;
    /** Far above any CLIP embedding (512, 768, 1024) and any class list; bounds what a corrupt header can allocate. */
    static final int MAX_DIM = 65536;
    static final int MAX_CLASSES = 100_000;
    static final int MAX_ARRAY_FLOATS = (Integer.MAX_VALUE - 8) / 4;
    /** Floats are read in chunks and the array grows as they come: a truncated file fails before a big allocation. */
    private static final int CHUNK_FLOATS = 1 << 16;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private ClipHeadFormat() {}

    public static void write(ClipHead head, Map<String, ?> training, OutputStream out) throws IOException {
        JsonObject h = new JsonObject();
        h.addProperty("format_version", VERSION);
        JsonArray classes = new JsonArray();
        head.classNames().forEach(classes::add);
        h.add("classes", classes);
        h.addProperty("clip_fingerprint", head.clipFingerprint());
        h.addProperty("multi_label", head.multiLabel());
        h.addProperty("dim", head.dim());
        h.addProperty("layer_norm_eps", head.layerNormEps());
        h.addProperty("input", "CLIP image_embeds, L2-normalised, then LayerNorm(gamma, beta), then Linear(weight, "
                + "bias); " + (head.multiLabel() ? "sigmoid per class" : "softmax over classes"));
        h.addProperty("layout", "float32 little-endian: gamma[dim] beta[dim] weight[classes][dim] bias[classes]");
        h.add("training", GSON.toJsonTree(training == null ? Map.of() : training));
        byte[] json = GSON.toJson(h).getBytes(StandardCharsets.UTF_8);
        int c = head.classNames().size();
        ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + json.length + 4 * (2 * head.dim() + c * head.dim() + c))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(json.length).put(json);
        for (float[] a : List.of(head.gamma(), head.beta(), head.weight(), head.bias())) {
            for (float f : a) {
                buf.putFloat(f);
            }
        }
        out.write(buf.array());
        out.flush();
    }

    public static byte[] toBytes(ClipHead head, Map<String, ?> training) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(head, training, bytes);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Reads a head; {@code source} names the file in every error. */
    // byte-level parser, one pass over the format; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    public static ClipHead read(InputStream in, String source) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length];
        try {
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw bad(source, "does not start with " + new String(MAGIC, StandardCharsets.US_ASCII)
                        + " (not a CLIP head written by finetune-clip)");
            }
            byte[] len = new byte[4];
            data.readFully(len);
            long n = Integer.toUnsignedLong(ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt());
            if (n <= 0 || n > MAX_HEADER) {
                throw bad(source, "header length " + n + " is out of range (1.." + MAX_HEADER + " bytes)");
            }
            byte[] json = new byte[(int) n];
            data.readFully(json);
            JsonObject h;
            try {
                h = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw bad(source, "header is not a JSON object: " + e.getMessage());
            }
            int version = intField(h, "format_version", source);
            if (version != VERSION) {
                throw bad(source, "format_version " + version + " is not supported (this build reads " + VERSION + ")");
            }
            JsonElement cls = field(h, "classes", source);
            if (!cls.isJsonArray()) {
                throw bad(source, "header 'classes' must be an array of names");
            }
            List<String> classes = new ArrayList<>();
            for (JsonElement e : cls.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw bad(source, "header 'classes' holds " + e + ", not a name");
                }
                classes.add(e.getAsString());
            }
            String fingerprint = stringField(h, "clip_fingerprint", source);
            boolean multiLabel = booleanField(h, "multi_label", source);
            int dim = intField(h, "dim", source);
            float eps = numberField(h, "layer_norm_eps", source).floatValue();
            int c = classes.size();
            if (c == 0 || c > MAX_CLASSES || dim <= 0 || dim > MAX_DIM) {
                throw bad(source, c + " classes and dim " + dim + ": classes must be in 1.." + MAX_CLASSES
                        + " and dim in 1.." + MAX_DIM);
            }
            if (!(eps > 0) || !Float.isFinite(eps)) {
                throw bad(source, "header 'layer_norm_eps' " + eps + " must be a positive number");
            }
            // long: c * dim can exceed int for a corrupt header.
            long floats = 2L * dim + (long) c * dim + c;
            if ((long) c * dim > MAX_ARRAY_FLOATS) {
                throw bad(source, c + " classes x dim " + dim + " = " + (long) c * dim + " weights is more than "
                        + MAX_ARRAY_FLOATS + " (one Java array)");
            }
            float[] gamma = floats(data, dim, source);
            float[] beta = floats(data, dim, source);
            float[] weight = floats(data, c * dim, source);
            float[] bias = floats(data, c, source);
            if (data.read() != -1) {
                throw bad(source, "has bytes after the " + floats + " floats its header announces");
            }
            return new ClipHead(classes, fingerprint, multiLabel, dim, eps, gamma, beta, weight, bias);
        } catch (EOFException e) {
            throw bad(source, "is truncated");
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            throw e instanceof BadHeadFile ? e : bad(source, e.getMessage());
        }
    }

    /**
     * SHA-256 (16 hex digits) of the head's content only: classes, CLIP fingerprint, multi-label, dim, eps and
     * every weight's float32 bits. Not the JSON header, whose layout, descriptions and training block may
     * change without changing what the head computes.
     */
    public static String digest(ClipHead head) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        md.update(b.clear().putInt(head.classNames().size()).flip());
        for (String c : head.classNames()) {
            byte[] name = c.getBytes(StandardCharsets.UTF_8);
            md.update(b.clear().putInt(name.length).flip());
            md.update(name);
        }
        byte[] fp = head.clipFingerprint().getBytes(StandardCharsets.UTF_8);
        md.update(b.clear().putInt(fp.length).flip());
        md.update(fp);
        md.update((byte) (head.multiLabel() ? 1 : 0));
        md.update(b.clear().putInt(head.dim()).putFloat(head.layerNormEps()).flip());
        for (float[] a : List.of(head.gamma(), head.beta(), head.weight(), head.bias())) {
            ByteBuffer w = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
            w.asFloatBuffer().put(a);
            md.update(w);
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static float[] floats(DataInputStream in, int n, String source) throws IOException {
        float[] out = new float[Math.min(n, CHUNK_FLOATS)];
        byte[] chunk = new byte[4 * Math.min(n, CHUNK_FLOATS)];
        int read = 0;
        while (read < n) {
            int k = Math.min(n - read, CHUNK_FLOATS);
            in.readFully(chunk, 0, 4 * k);
            if (read + k > out.length) {
                out = Arrays.copyOf(out, (int) Math.min(n, Math.max(read + k, 2L * out.length)));
            }
            ByteBuffer.wrap(chunk, 0, 4 * k).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, read, k);
            read += k;
        }
        for (float f : out) {
            if (!Float.isFinite(f)) {
                throw bad(source, "holds a non-finite weight (" + f + ")");
            }
        }
        return out;
    }

    private static JsonElement field(JsonObject h, String key, String source) {
        JsonElement e = h.get(key);
        if (e == null || e.isJsonNull()) {
            throw bad(source, "header has no '" + key + "'");
        }
        return e;
    }

    private static Number numberField(JsonObject h, String key, String source) {
        JsonElement e = field(h, key, source);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(source, "header '" + key + "' is " + e + ", not a number");
        }
        return e.getAsJsonPrimitive().getAsBigDecimal();
    }

    private static int intField(JsonObject h, String key, String source) {
        Number n = numberField(h, key, source);
        try {
            return ((BigDecimal) n).intValueExact();
        } catch (ArithmeticException e) {
            throw bad(source, "header '" + key + "' is " + n + ", not an integer");
        }
    }

    private static boolean booleanField(JsonObject h, String key, String source) {
        JsonElement e = field(h, key, source);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw bad(source, "header '" + key + "' is " + e + ", not true or false");
        }
        return e.getAsBoolean();
    }

    private static String stringField(JsonObject h, String key, String source) {
        JsonElement e = field(h, key, source);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(source, "header '" + key + "' is " + e + ", not a string");
        }
        return e.getAsString();
    }

    private static BadHeadFile bad(String source, String why) {
        return new BadHeadFile("CLIP head " + source + " " + why);
    }

    /** A file that is not a readable CLIP head; the message names the file. */
    public static final class BadHeadFile extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadHeadFile(String message) {
            super(message);
        }
    }
}
