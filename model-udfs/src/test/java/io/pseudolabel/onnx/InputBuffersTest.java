package io.pseudolabel.onnx;

import io.pseudolabel.labeler.Fixtures;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graph inputs reuse a thread's native buffers: exact contents, growth, nesting, and no native garbage per call. */
class InputBuffersTest {

    @Test
    void valuesArriveExactlyInANativeOrderDirectBufferOfTheirLength() {
        InputBuffers b = InputBuffers.acquire();
        try {
            FloatBuffer f = b.floats(0, new float[] {1.5f, -2f, Float.NaN});
            LongBuffer l = b.longs(1, new long[] {49406L, Long.MAX_VALUE});
            assertTrue(f.isDirect() && l.isDirect());
            assertEquals(ByteOrder.nativeOrder(), f.order());
            assertEquals(0, f.position());
            assertEquals(3, f.remaining());
            float[] back = new float[3];
            f.duplicate().get(back);
            assertArrayEquals(new float[] {1.5f, -2f, Float.NaN}, back);
            long[] longs = new long[2];
            l.duplicate().get(longs);
            assertArrayEquals(new long[] {49406L, Long.MAX_VALUE}, longs);
        } finally {
            b.release();
        }
    }

    @Test
    void partsArriveOneAfterTheOtherInOneBuffer() {
        InputBuffers b = InputBuffers.acquire();
        try {
            FloatBuffer f = b.floats(0, new float[][] {{1f, 2f}, {}, {3f, 4f, 5f}});
            assertTrue(f.isDirect());
            assertEquals(0, f.position());
            float[] back = new float[f.remaining()];
            f.duplicate().get(back);
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f}, back);
        } finally {
            b.release();
        }
        // and a feed checks the parts' total against the shape
        Feed feed = new Feed().floats("x", List.of(new float[6], new float[6]), 2, 2, 3);
        assertEquals(1, feed.data().size());
        Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Feed().floats("x", List.of(new float[6], new float[5]), 2, 2, 3));
    }

    @Test
    void aThreadReusesItsBuffersAndGrowsThemOnlyForLargerInputs() throws Exception {
        // a thread of its own: the test runner's thread may hold buffers from other tests' graph calls
        CompletableFuture.runAsync(InputBuffersTest::reuseAndGrowth, r -> new Thread(r, "input-buffers-test").start())
                .get();
    }

    private static void reuseAndGrowth() {
        InputBuffers first = InputBuffers.acquire();
        first.floats(0, new float[1000]);
        long held = first.capacityBytes();
        first.release();
        InputBuffers again = InputBuffers.acquire();
        try {
            assertSame(first, again);
            again.floats(0, new float[10]);
            assertEquals(held, again.capacityBytes(), "a smaller input fits the buffer already held");
            again.floats(0, new float[1001]);
            assertEquals(1500 * Float.BYTES, again.capacityBytes(), "grown by half at least");
        } finally {
            again.release();
        }
    }

    @Test
    void aNestedCallAndAnotherThreadGetBuffersOfTheirOwn() throws Exception {
        InputBuffers outer = InputBuffers.acquire();
        try {
            InputBuffers nested = InputBuffers.acquire();
            nested.release();
            assertNotSame(outer, nested);
            InputBuffers other = CompletableFuture.supplyAsync(() -> {
                InputBuffers o = InputBuffers.acquire();
                o.release();
                return o;
            }).get();
            assertNotSame(outer, other);
        } finally {
            outer.release();
        }
        assertSame(outer, InputBuffers.acquire(), "released, the thread's own set comes back");
        outer.release();
    }

    /**
     * The SAM decoder takes 4 MB of image embeddings per call. Forty calls used to leave 160 MB of direct
     * buffers for the GC to find; now the direct pool grows by what this thread's buffers hold, whatever
     * the number of calls.
     */
    @Test
    void repeatedGraphCallsLeaveNoNativeGarbage() {
        try (OnnxGraph decoder = OnnxGraph.load(Fixtures.model("sam").resolve("onnx").resolve("decoder.onnx"), Fixtures.cpu())) {
            Feed feed = new Feed().floats("image_embeddings", new float[256 * 64 * 64], 1, 256, 64, 64)
                    .floats("point_coords", new float[] {10, 10, 200, 200}, 1, 2, 2)
                    .floats("point_labels", new float[] {2f, 3f}, 1, 2)
                    .floats("mask_input", new float[256 * 256], 1, 1, 256, 256)
                    .floats("has_mask_input", new float[] {0f}, 1)
                    .floats("orig_im_size", new float[] {240f, 320f}, 2);
            decoder.run(feed);
            long before = directBytes();
            for (int i = 0; i < 40; i++) {
                decoder.run(feed);
            }
            long grown = directBytes() - before;
            assertTrue(grown < 1 << 20, "direct memory grew by " + grown + " bytes over 40 calls");
        }
    }

    private static long directBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool bean");
    }
}
