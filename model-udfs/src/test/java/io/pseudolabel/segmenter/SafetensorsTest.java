package io.pseudolabel.segmenter;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    /** A file with the given JSON header and data bytes, the header length as the format stores it. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] le(int n, long... values) {
        ByteBuffer b = ByteBuffer.allocate(n * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (n) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    @Test
    void writesWhatItReadsWithMetadataAndPaddedHeader() {
        LinkedHashMap<String, SegmenterWeights.Tensor> t = new LinkedHashMap<>();
        t.put("b.weight", new SegmenterWeights.Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-20f, -0f}));
        t.put("a.scalar", new SegmenterWeights.Tensor(new long[] {}, new float[] {42}));
        t.put("empty", new SegmenterWeights.Tensor(new long[] {0, 4}, new float[0]));
        byte[] bytes = Safetensors.write(t, Map.of("format", "pt"));
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        Safetensors.File f = Safetensors.read(bytes, "x.safetensors");
        assertEquals(List.of("b.weight", "a.scalar", "empty"), List.copyOf(f.entries().keySet()));
        assertEquals(Map.of("format", "pt"), f.metadata());
        assertEquals(t.get("b.weight"), f.tensor("b.weight"));
        assertEquals(t.get("a.scalar"), f.tensor("a.scalar"));
        assertEquals(0, f.floats("empty").length);
        SegmenterWeights w = SegmenterWeights.fromSafetensors(bytes, "x");
        assertEquals(new SegmenterWeights(t), w);
    }

    @Test
    void readsF16Bf16AndF64AsFloats() {
        // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001, +inf = 0x7c00
        // BF16: the upper half of the float32 bits; F64 narrowed.
        byte[] f16 = le(2, 0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00);
        byte[] bf16 = le(2, Float.floatToIntBits(1.5f) >>> 16, Float.floatToIntBits(-3.0f) >>> 16);
        byte[] f64 = le(8, Double.doubleToLongBits(0.1), Double.doubleToLongBits(-7.25));
        byte[] data = new byte[f16.length + bf16.length + f64.length];
        System.arraycopy(f16, 0, data, 0, f16.length);
        System.arraycopy(bf16, 0, data, f16.length, bf16.length);
        System.arraycopy(f64, 0, data, f16.length + bf16.length, f64.length);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[14,30]}}";
        Safetensors.File f = Safetensors.read(file(header, data), "mixed.safetensors");
        assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, f.floats("h"));
        assertArrayEquals(new float[] {1.5f, -3f}, f.floats("b"));
        assertArrayEquals(new float[] {0.1f, -7.25f}, f.floats("d"));
        for (int bits = 0; bits < 0x10000; bits++) {
            float mine = Safetensors.halfToFloat((short) bits);
            int exp = (bits >>> 10) & 0x1f;
            if (exp != 0x1f) {
                double mant = (bits & 0x3ff) / 1024.0;
                double want = (exp == 0 ? mant * Math.pow(2, -14) : (1 + mant) * Math.pow(2, exp - 15))
                        * ((bits & 0x8000) != 0 ? -1 : 1);
                assertEquals(want, mine, 0.0, "half 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void integerTensorsAreAcceptedButNotReadAsFloats() {
        String header = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}";
        Safetensors.File f = Safetensors.read(file(header, le(8, 3)), "bn.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.floats("n"));
        assertTrue(e.getMessage().contains("bn.safetensors") && e.getMessage().contains("tensor n is I64"),
                e.getMessage());
    }

    static void refused(byte[] bytes, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.read(bytes, "bad.safetensors"));
        assertTrue(e.getMessage().startsWith("bad.safetensors: "), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' not in: " + e.getMessage());
        }
    }

    @Test
    void refusesBrokenFilesNamingFileAndTensor() {
        String one = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] good = file(one, new byte[8]);
        Safetensors.read(good, "good");
        refused(Arrays.copyOf(good, 5), "truncated");
        refused(Arrays.copyOf(good, 20), "truncated", "header says");
        refused(Arrays.copyOf(good, good.length - 1), "truncated", "tensor w");
        refused(file(one, new byte[12]), "4 bytes after the last tensor");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor w F32[3] needs 12 bytes");
        refused(file("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor w", "unknown dtype Q4");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "tensor b", "overlaps tensor a");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "bytes 0..4", "before tensor a");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[8]),
                "truncated", "tensor a ends at byte 12");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8]),
                "tensor a", "end before");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor a", "negative shape");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "tensor a lacks data_offsets");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "a appears twice");
        refused(file("[1,2]", new byte[0]), "does not start with '{'");
        refused(file("{\"a\":", new byte[0]), "not a valid safetensors JSON");
        refused(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__ value of k");
        byte[] huge = good.clone();
        huge[7] = 0x7f;
        refused(huge, "header length");
    }
}
