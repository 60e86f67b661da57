package io.pseudolabel.job.executor;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreparePoolTest {
    @Test
    void aLaneRunsAtMostItsWidthAtOnceAndEveryJob() throws Exception {
        PreparePool.Lane lane = PreparePool.lane(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            results.add(lane.submit(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.sleep(5);
                running.decrementAndGet();
                return n;
            }));
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(i, results.get(i).get(10, TimeUnit.SECONDS));
        }
        assertTrue(most.get() <= 2, "at most 2 at once, saw " + most.get());
        lane.close();
    }

    @Test
    void laterTasksReuseTheThreadsOfEarlierOnes() throws Exception {
        for (int i = 0; i < 3; i++) { // warm: the shared pool has its threads
            PreparePool.lane(1).submit(() -> 1).get(10, TimeUnit.SECONDS);
        }
        int before = newestPrepareThread();
        for (int task = 0; task < 50; task++) {
            PreparePool.Lane lane = PreparePool.lane(1);
            lane.submit(() -> 1).get(10, TimeUnit.SECONDS);
            lane.close();
            awaitIdlePool(); // the drainer's thread is back in the pool, waiting for the next job
        }
        assertTrue(newestPrepareThread() - before <= 2,
                "50 sequential tasks started " + (newestPrepareThread() - before) + " threads");
    }

    /**
     * The number in the newest live preparation thread's name ({@code pseudolabel-prepare-N}, numbered as they are
     * started; idle ones live a minute, longer than this test).
     */
    private static int newestPrepareThread() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("pseudolabel-prepare-"))
                .mapToInt(n -> Integer.parseInt(n.substring("pseudolabel-prepare-".length()))).max().orElse(0);
    }

    /**
     * Waits until every preparation thread is parked in the shared pool's hand-off queue, where the next job is
     * handed to it rather than to a new thread: a job's future completes before its drainer leaves the lane and
     * goes back to the queue, so a sleep there would only make that window unlikely, not closed.
     */
    static void awaitIdlePool() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!idle()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("preparation threads still busy after 10 s: " + busy());
            }
            Thread.yield();
        }
    }

    private static boolean idle() {
        return busy().isEmpty();
    }

    /** Preparation threads not (yet) waiting in the pool's queue for a job. */
    private static List<String> busy() {
        List<String> out = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (!t.getName().startsWith("pseudolabel-prepare-") || !t.isAlive()) {
                return;
            }
            boolean waiting = t.getState() == Thread.State.TIMED_WAITING && Arrays.stream(stack)
                    .anyMatch(f -> f.getClassName().startsWith("java.util.concurrent.SynchronousQueue"));
            if (!waiting) {
                out.add(t.getName() + " " + t.getState());
            }
        });
        return out;
    }

    @Test
    void closingCancelsWhatHasNotStarted() throws Exception {
        PreparePool.Lane lane = PreparePool.lane(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = lane.submit(() -> {
            started.countDown();
            release.await();
            return 1;
        });
        Future<Integer> second = lane.submit(() -> 2);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        lane.close();
        release.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, second::get);
        assertThrows(IllegalStateException.class, () -> lane.submit(() -> 3));
    }

    @Test
    void widthZeroPreparesInTheSubmittingThread() throws Exception {
        PreparePool.Lane lane = PreparePool.lane(0);
        assertTrue(lane.inline());
        Thread caller = Thread.currentThread();
        AtomicInteger ran = new AtomicInteger();
        Future<Thread> f = lane.submit(() -> {
            ran.incrementAndGet();
            return Thread.currentThread();
        });
        assertTrue(f.isDone(), "done before submit returns");
        assertEquals(1, ran.get());
        assertEquals(caller, f.get());
        Future<Integer> failing = lane.submit(() -> {
            throw new IOException("unreadable");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PreparePool.await(failing));
        assertTrue(e.getMessage().contains("unreadable"), e.getMessage());
        lane.close();
        assertThrows(IllegalStateException.class, () -> lane.submit(() -> 3));
        assertThrows(IllegalArgumentException.class, () -> PreparePool.lane(-1));
    }

    @Test
    void autoPreparesBesideAGpuAndOnTheCpuOnlyOnCoresTheModelsLeave() {
        RuntimeOptions gpu = new RuntimeOptions(ExecutionDevice.AUTO, 0, OptLevel.ALL_OPT, 0, 0);
        assertEquals(3, PreparePool.width(PreparePool.AUTO, gpu, 4));
        assertEquals(1, PreparePool.width(PreparePool.AUTO, gpu, 1));
        RuntimeOptions oneThread = new RuntimeOptions(ExecutionDevice.AUTO, -1, OptLevel.ALL_OPT, 1, 1);
        assertEquals(0, PreparePool.width(PreparePool.AUTO, oneThread, 1)); // the model thread fills the task's core
        assertEquals(3, PreparePool.width(PreparePool.AUTO, oneThread, 4));
        RuntimeOptions fourThreads = new RuntimeOptions(ExecutionDevice.CPU, -1, OptLevel.ALL_OPT, 4, 1);
        assertEquals(0, PreparePool.width(PreparePool.AUTO, fourThreads, 2));
        assertEquals(2, PreparePool.width(PreparePool.AUTO, Fixtures.cpu(), 1)); // ORT's default threads
        assertEquals(2, PreparePool.width(2, oneThread, 1)); // a number is taken as it is
        assertEquals(0, PreparePool.width(0, gpu, 4));
    }
}
