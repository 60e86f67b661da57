package io.pseudolabel.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Native (direct) memory for the inputs of one thread's graph calls, reused from call to call.
 *
 * <p>ONNX Runtime's Java API copies a heap array into a new direct buffer for every input tensor, and
 * that native memory comes back only when a garbage collection finds the buffer unreachable. Between
 * collections it piles up outside the heap (up to {@code -XX:MaxDirectMemorySize}, by default the heap
 * size): `bench memory` saw 366 MB of it after 300 images and 711 MB after 3,000, which is how a YARN or
 * Kubernetes executor outgrows its memory overhead. A thread runs one graph call at a time, so its inputs
 * can share a few buffers instead: one per input position, grown when a larger input comes and then kept,
 * so a thread holds at most its largest feed.
 */
final class InputBuffers {
    private static final ThreadLocal<InputBuffers> PER_THREAD = ThreadLocal.withInitial(InputBuffers::new);

    private final List<ByteBuffer> slots = new ArrayList<>();
    private boolean inUse;

    /**
     * This thread's buffers for one graph call; {@link #release()} them when the call has returned. A call
     * made while the thread's buffers are in use (a graph run from inside another's translator) gets buffers
     * of its own, so no two live tensors share memory.
     */
    static InputBuffers acquire() {
        InputBuffers mine = PER_THREAD.get();
        if (mine.inUse) {
            InputBuffers nested = new InputBuffers();
            nested.inUse = true;
            return nested;
        }
        mine.inUse = true;
        return mine;
    }

    void release() {
        inUse = false;
    }

    /** {@code values} copied into slot {@code slot}: a native-order direct buffer positioned at 0 with exactly their length. */
    FloatBuffer floats(int slot, float[] values) {
        FloatBuffer view = bytes(slot, (long) values.length * Float.BYTES).asFloatBuffer();
        view.put(values).flip();
        return view;
    }

    /** {@code parts} copied one after the other into slot {@code slot}, as {@link #floats(int, float[])} copies one array. */
    FloatBuffer floats(int slot, float[][] parts) {
        long length = 0;
        for (float[] p : parts) {
            length += p.length;
        }
        FloatBuffer view = bytes(slot, length * Float.BYTES).asFloatBuffer();
        for (float[] p : parts) {
            view.put(p);
        }
        return view.flip();
    }

    /** As {@link #floats} for int64 inputs. */
    LongBuffer longs(int slot, long[] values) {
        LongBuffer view = bytes(slot, (long) values.length * Long.BYTES).asLongBuffer();
        view.put(values).flip();
        return view;
    }

    /** Native bytes this set holds now. */
    long capacityBytes() {
        long sum = 0;
        for (ByteBuffer b : slots) {
            sum += b.capacity();
        }
        return sum;
    }

    private ByteBuffer bytes(int slot, long length) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input " + slot + " needs " + length + " bytes; a tensor buffer holds at "
                    + "most " + Integer.MAX_VALUE);
        }
        while (slots.size() <= slot) {
            slots.add(null);
        }
        ByteBuffer b = slots.get(slot);
        if (b == null || b.capacity() < length) {
            // grow by half again at least, so a batch that creeps up one image at a time reallocates rarely
            long grown = b == null ? length : Math.max(length, Math.min(Integer.MAX_VALUE, b.capacity() * 3L / 2));
            b = ByteBuffer.allocateDirect((int) grown).order(ByteOrder.nativeOrder());
            slots.set(slot, b);
        }
        b.clear().limit((int) length);
        return b.slice().order(ByteOrder.nativeOrder());
    }
}
