package io.pseudolabel.segmenter;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The safetensors format (Hugging Face's, as {@code safetensors.torch.save_file} writes it), read and
 * written in plain Java: 8 bytes little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}},
 * then the tensors' raw little-endian bytes, row-major, at {@code data_offsets} relative to the end of
 * the header.
 *
 * <p>Reading is strict: a file shorter than its header says, a header that is not such a JSON object,
 * an unknown dtype, a shape whose size disagrees with its byte range, and byte ranges that overlap,
 * leave holes, run past the end or leave bytes after the last tensor are refused with the file's name
 * (and the tensor's). Floats are read from F32, F16, BF16 and F64 tensors; other dtypes are accepted in
 * the file (e.g. BatchNorm's I64 {@code num_batches_tracked}) but cannot be read as floats.
 */
public final class Safetensors {

    /** The largest header the reference implementation accepts (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA = "__metadata__";

    /** The dtypes of the safetensors specification with their sizes in bytes. */
    public enum DType {
        BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4),
        F64(8), I64(8), U64(8);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Whether {@link File#floats} converts this dtype. */
        public boolean isFloat() {
            return this == F32 || this == F16 || this == BF16 || this == F64;
        }
    }

    /** One tensor of the header; {@code begin} and {@code end} are offsets into the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public String describe() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    /** A parsed file: its entries in header order, its metadata, and its bytes. */
    public static final class File {
        private final String source;
        private final byte[] bytes;
        private final int dataStart;
        private final LinkedHashMap<String, Entry> entries;
        private final Map<String, String> metadata;

        private File(String source, byte[] bytes, int dataStart, LinkedHashMap<String, Entry> entries,
                Map<String, String> metadata) {
            this.source = source;
            this.bytes = bytes;
            this.dataStart = dataStart;
            this.entries = entries;
            this.metadata = metadata;
        }

        /** Where the bytes came from (for messages). */
        public String source() {
            return source;
        }

        /** The tensors in header order. */
        public Map<String, Entry> entries() {
            return Collections.unmodifiableMap(entries);
        }

        public Map<String, String> metadata() {
            return metadata;
        }

        /**
         * The values of tensor {@code name} as floats (F32 as stored; F16, BF16 and F64 converted).
         *
         * @throws IllegalArgumentException when there is no such tensor or its dtype is not a float type
         */
        public float[] floats(String name) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new IllegalArgumentException(source + ": no tensor " + name);
            }
            if (!e.dtype.isFloat()) {
                throw new IllegalArgumentException(source + ": tensor " + name + " is " + e.dtype
                        + ", not a float type (F32, F16, BF16 or F64)");
            }
            int n = Math.toIntExact(e.elements());
            float[] out = new float[n];
            ByteBuffer b = ByteBuffer.wrap(bytes, dataStart + (int) e.begin, (int) (e.end - e.begin))
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype) {
                case F32 -> b.asFloatBuffer().get(out);
                case F64 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) b.getDouble(i * 8);
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = halfToFloat(b.getShort(i * 2));
                    }
                }
                default -> throw new AssertionError(e.dtype);
            }
            return out;
        }

        /** Tensor {@code name} as a {@link SegmenterWeights.Tensor} (see {@link #floats}). */
        public SegmenterWeights.Tensor tensor(String name) {
            float[] data = floats(name);
            return new SegmenterWeights.Tensor(entries.get(name).shape().clone(), data);
        }
    }

    private Safetensors() {
    }

    /**
     * Parses and validates a whole file.
     *
     * @param source the file's name, used in every message
     * @throws IllegalArgumentException naming {@code source} (and the tensor) when the bytes are not a valid
     *     safetensors file
     */
    // byte-level parser, one pass over the format; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    public static File read(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw bad(source, "truncated: " + bytes.length + " bytes, less than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw bad(source, "header length " + Long.toUnsignedString(n) + " is not in 2.." + MAX_HEADER_BYTES
                    + " (not a safetensors file?)");
        }
        if (8 + n > bytes.length) {
            throw bad(source, "truncated: the header says " + n + " bytes of JSON but the file has only "
                    + (bytes.length - 8) + " after the length");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw bad(source, "the header is not UTF-8");
        }
        if (!json.startsWith("{")) {
            throw bad(source, "the header does not start with '{' (not a safetensors file?)");
        }
        int dataStart = (int) (8 + n);
        long dataLength = bytes.length - dataStart;
        LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean sawMetadata = false;
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (entries.containsKey(name) || (name.equals(METADATA) && sawMetadata)) {
                    throw bad(source, "tensor " + name + " appears twice in the header");
                }
                if (name.equals(METADATA)) {
                    sawMetadata = true;
                    r.beginObject();
                    while (r.hasNext()) {
                        String k = r.nextName();
                        if (r.peek() != JsonToken.STRING) {
                            throw bad(source, "__metadata__ value of " + k + " is not a string");
                        }
                        metadata.put(k, r.nextString());
                    }
                    r.endObject();
                    continue;
                }
                entries.put(name, entry(r, name, source));
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw bad(source, "text after the header's JSON object");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw bad(source, "the header is not a valid safetensors JSON object: " + e.getMessage());
        }
        // Byte ranges: inside the data, of the size the shape needs, and together covering it exactly.
        for (Entry e : entries.values()) {
            long need;
            try {
                need = Math.multiplyExact(e.elements(), (long) e.dtype.bytes);
            } catch (ArithmeticException x) {
                throw bad(source, "tensor " + e.describe() + " is too large");
            }
            if (e.begin > e.end) {
                throw bad(source, "tensor " + e.name + ": data_offsets [" + e.begin + ", " + e.end + "] end before "
                        + "they begin");
            }
            if (e.end - e.begin != need) {
                throw bad(source, "tensor " + e.describe() + " needs " + need + " bytes, data_offsets ["
                        + e.begin + ", " + e.end + "] hold " + (e.end - e.begin));
            }
            if (e.end > dataLength) {
                throw bad(source, "truncated: tensor " + e.name + " ends at byte " + e.end + " of the data, which has "
                        + "only " + dataLength);
            }
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw bad(source, "tensor " + e.name + " [" + e.begin + ", " + e.end + ") overlaps tensor "
                        + previous.name + " [" + previous.begin + ", " + previous.end + ")");
            }
            if (e.begin > at) {
                throw bad(source, "bytes " + at + ".." + e.begin + " of the data before tensor " + e.name
                        + " belong to no tensor");
            }
            at = e.end;
            previous = e;
        }
        if (at != dataLength) {
            throw bad(source, (dataLength - at) + " bytes after the last tensor belong to no tensor");
        }
        return new File(source, bytes, dataStart, entries, Collections.unmodifiableMap(metadata));
    }

    private static Entry entry(JsonReader r, String name, String source) throws IOException {
        String dtype = null;
        List<Long> shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String k = r.nextName();
            switch (k) {
                case "dtype" -> dtype = r.nextString();
                case "shape" -> {
                    shape = new ArrayList<>();
                    r.beginArray();
                    while (r.hasNext()) {
                        shape.add(nonNegative(r.nextLong(), name, "shape", source));
                    }
                    r.endArray();
                }
                case "data_offsets" -> {
                    List<Long> o = new ArrayList<>();
                    r.beginArray();
                    while (r.hasNext()) {
                        o.add(nonNegative(r.nextLong(), name, "data_offsets", source));
                    }
                    r.endArray();
                    if (o.size() != 2) {
                        throw bad(source, "tensor " + name + ": data_offsets has " + o.size() + " numbers, not 2");
                    }
                    offsets = new long[] {o.get(0), o.get(1)};
                }
                default -> throw bad(source, "tensor " + name + ": unknown header field " + k);
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw bad(source, "tensor " + name + " lacks " + (dtype == null ? "dtype" : shape == null ? "shape"
                    : "data_offsets"));
        }
        DType t;
        try {
            t = DType.valueOf(dtype);
        } catch (IllegalArgumentException e) {
            throw bad(source, "tensor " + name + " has unknown dtype " + dtype + " (known: "
                    + Arrays.toString(DType.values()) + ")");
        }
        return new Entry(name, t, shape.stream().mapToLong(Long::longValue).toArray(), offsets[0], offsets[1]);
    }

    private static long nonNegative(long v, String name, String field, String source) {
        if (v < 0) {
            throw bad(source, "tensor " + name + ": negative " + field + " " + v);
        }
        return v;
    }

    private static IllegalArgumentException bad(String source, String what) {
        return new IllegalArgumentException(source + ": not a valid safetensors file: " + what);
    }

    /**
     * A safetensors file of F32 tensors in the map's order, with {@code metadata} as {@code __metadata__}
     * (omitted when empty). The header is padded with spaces to a multiple of 8 bytes, as the reference
     * writer does.
     */
    public static byte[] write(Map<String, SegmenterWeights.Tensor> tensors, Map<String, String> metadata) {
        StringWriter sw = new StringWriter();
        long offset = 0;
        try (JsonWriter w = new JsonWriter(sw)) {
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA).beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    w.name(m.getKey()).value(m.getValue());
                }
                w.endObject();
            }
            for (Map.Entry<String, SegmenterWeights.Tensor> e : tensors.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
                }
                long size = 4L * e.getValue().data().length;
                w.name(e.getKey()).beginObject().name("dtype").value("F32").name("shape").beginArray();
                for (long d : e.getValue().shape()) {
                    w.value(d);
                }
                w.endArray().name("data_offsets").beginArray().value(offset).value(offset + size).endArray();
                w.endObject();
                offset += size;
            }
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] header = sw.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%.1f GB of tensors do not fit one array",
                    total / 1e9));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array(), 0, 8);
        out.write(header, 0, header.length);
        for (int i = header.length; i < padded; i++) {
            out.write(' ');
        }
        for (SegmenterWeights.Tensor t : tensors.values()) {
            ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.data());
            out.write(b.array(), 0, b.capacity());
        }
        return out.toByteArray();
    }

    /** IEEE 754 half precision to float (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal: mant * 2^-24.
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
