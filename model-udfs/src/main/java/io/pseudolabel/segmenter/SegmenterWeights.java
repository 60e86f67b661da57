package io.pseudolabel.segmenter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named float tensors in a stable order: a model's parameters (BN running statistics included), or an
 * optimizer's state. Plain Java and {@link Serializable} (Spark broadcasts it as it is). Files are
 * safetensors ({@link #toSafetensors}/{@link #fromSafetensors}); the older compact byte form
 * ({@link #toBytes}/{@link #fromBytes}) is still read for models and checkpoints written before.
 *
 * <p>Byte form (big-endian): magic {@code "PLSW"}, int version 1, int count, then per tensor: UTF name,
 * int rank, rank longs (the shape), int n, n floats.
 */
public final class SegmenterWeights implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x504c5357; // "PLSW"
    private static final int VERSION = 1;

    /** One tensor: its shape and its values, row-major. */
    public record Tensor(long[] shape, float[] data) implements Serializable {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values, got " + data.length);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Tensor" + Arrays.toString(shape);
        }
    }

    private final LinkedHashMap<String, Tensor> tensors;

    public SegmenterWeights(Map<String, Tensor> tensors) {
        this.tensors = new LinkedHashMap<>(tensors);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return t;
    }

    public int size() {
        return tensors.size();
    }

    /** Total number of floats. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.data.length;
        }
        return n;
    }

    /** Whether {@code other} has the same names, in the same order, with the same shapes. */
    public boolean sameLayout(SegmenterWeights other) {
        if (other.tensors.size() != tensors.size()) {
            return false;
        }
        var a = tensors.entrySet().iterator();
        var b = other.tensors.entrySet().iterator();
        while (a.hasNext()) {
            var x = a.next();
            var y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue().shape, y.getValue().shape)) {
                return false;
            }
        }
        return true;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64,
                parameterCount() * 4 + tensors.size() * 64L + 16));
        try (DataOutputStream out = new DataOutputStream(bos)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(tensors.size());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                out.writeUTF(e.getKey());
                out.writeInt(t.shape.length);
                for (long d : t.shape) {
                    out.writeLong(d);
                }
                out.writeInt(t.data.length);
                ByteBuffer buf = ByteBuffer.allocate(t.data.length * 4).order(ByteOrder.BIG_ENDIAN);
                buf.asFloatBuffer().put(t.data);
                out.write(buf.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    /** A safetensors file of these tensors (F32, in this order) with {@code metadata} as {@code __metadata__}. */
    public byte[] toSafetensors(Map<String, String> metadata) {
        return Safetensors.write(tensors, metadata);
    }

    /**
     * Every tensor of a safetensors file, in header order, as floats (F32, F16, BF16 or F64).
     *
     * @throws IllegalArgumentException naming {@code source} (and the tensor) for an invalid file or a tensor
     *     of another dtype
     */
    public static SegmenterWeights fromSafetensors(byte[] bytes, String source) {
        Safetensors.File f = Safetensors.read(bytes, source);
        LinkedHashMap<String, Tensor> map = new LinkedHashMap<>();
        for (String name : f.entries().keySet()) {
            map.put(name, f.tensor(name));
        }
        return new SegmenterWeights(map);
    }

    /** @throws IllegalArgumentException when {@code bytes} are not weights in this format */
    public static SegmenterWeights fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (bytes.length < 12 || in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not segmenter weights (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported segmenter weights version " + version);
            }
            int count = in.readInt();
            LinkedHashMap<String, Tensor> map = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new IllegalArgumentException("bad rank " + rank + " for " + name);
                }
                long[] shape = new long[rank];
                for (int r = 0; r < rank; r++) {
                    shape[r] = in.readLong();
                }
                int n = in.readInt();
                if (n < 0 || (long) n * 4 > in.available()) {
                    throw new IllegalArgumentException("truncated segmenter weights at " + name);
                }
                byte[] raw = new byte[n * 4];
                in.readFully(raw);
                float[] data = new float[n];
                ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(data);
                map.put(name, new Tensor(shape, data));
            }
            return new SegmenterWeights(map);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated segmenter weights", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmenterWeights w && w.tensors.equals(tensors)
                && new ArrayList<>(w.tensors.keySet()).equals(new ArrayList<>(tensors.keySet()));
    }

    @Override
    public int hashCode() {
        return tensors.hashCode();
    }

    @Override
    public String toString() {
        return "SegmenterWeights[" + tensors.size() + " tensors, " + parameterCount() + " floats]";
    }
}
