package io.pseudolabel.job.executor;

import io.pseudolabel.onnx.ExecutionDevice;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.spark.TaskContext;

import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The preparation threads of one executor JVM, shared by its tasks. Each task gets a {@link Lane} of
 * {@code prepare-threads} width on the shared threads, so a task still prepares with at most that many
 * threads, but the threads outlive it: with a pool per task, 188 tasks started and dropped 376 threads,
 * and every new thread could take a fresh glibc malloc arena (native memory that stays with the process).
 */
public final class PreparePool {
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** Grows to the number of lanes x width running at once; idle threads go after a minute. */
    private static final ExecutorService SHARED = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread th = new Thread(r, "pseudolabel-prepare-" + NAMES.incrementAndGet());
                th.setDaemon(true);
                return th;
            });

    private PreparePool() {}

    /** {@code pseudolabel.job.prepare-threads = auto}. */
    public static final int AUTO = -1;

    /**
     * Preparation threads for a task with {@code taskCpus} cores whose models run with {@code runtime}: as
     * configured, or for {@link #AUTO}:
     * <ul>
     * <li>on a GPU, the task's cores but one (its own thread feeds the GPU);
     * <li>on the CPU with {@code n} ONNX Runtime threads per session, the task's cores those threads leave, so
     *     none when they fill them: the task prepares in its own thread, a batch at a time, because extra
     *     threads would only take turns with the models (3,000 images on 2 cores, one ORT thread: 141-146 s
     *     without them, 143-154 s with two) and would hold a second prepared batch;
     * <li>on the CPU with ONNX Runtime's default threads, 2: its threads wait between operators and the
     *     preparation fills those gaps (40 demo images: 15.4 s with two, 16.4 s in the task's thread).
     * </ul>
     */
    public static int width(int configured, RuntimeOptions runtime, int taskCpus) {
        if (configured != AUTO) {
            return configured;
        }
        if (runtime.resolvedDevice() == ExecutionDevice.GPU) {
            return Math.max(1, taskCpus - 1);
        }
        return runtime.intraOpThreads() > 0 ? Math.max(0, taskCpus - runtime.intraOpThreads()) : 2;
    }

    /** The running task's lane: {@link #width} of the setting for its models and its cores. */
    public static Lane taskLane(int configured, RuntimeOptions runtime) {
        TaskContext ctx = TaskContext.get();
        int taskCpus = ctx == null ? 1 : Math.max(1, ctx.cpus()); // spark.task.cpus
        return lane(width(configured, runtime, taskCpus));
    }

    /** @param width threads; 0 prepares each job in the thread that submits it */
    public static Lane lane(int width) {
        if (width < 0) {
            throw new IllegalArgumentException("a preparation lane needs width >= 0, got " + width);
        }
        return new Lane(width);
    }

    /** The result of a job submitted to a lane; a failed preparation fails the task with its cause. */
    public static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing images", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("preparing an image failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * A task's share: its jobs run in submission order, at most {@code width} at a time; with width 0, in the
     * submitting thread before {@code submit} returns.
     */
    public static final class Lane implements AutoCloseable {
        private final int width;
        private final ArrayDeque<FutureTask<?>> queue = new ArrayDeque<>();
        private int running;
        private boolean closed;

        private Lane(int width) {
            this.width = width;
        }

        /** Whether jobs run in the submitting thread: nothing prepares ahead unless asked to. */
        public boolean inline() {
            return width == 0;
        }

        public <T> Future<T> submit(Callable<T> job) {
            FutureTask<T> f = new FutureTask<>(job);
            if (width == 0) {
                ensureOpen();
                f.run(); // outside the lock: close() from another thread does not wait for an image
                return f;
            }
            synchronized (this) {
                ensureOpen();
                queue.add(f);
                if (running < width) { // one job more needs at most one drainer more
                    running++;
                    SHARED.execute(this::drain);
                }
                return f;
            }
        }

        private synchronized void ensureOpen() {
            if (closed) {
                throw new IllegalStateException("preparation lane closed");
            }
        }

        private void drain() {
            while (true) {
                FutureTask<?> f;
                synchronized (this) {
                    f = queue.poll();
                    if (f == null) {
                        running--;
                        return;
                    }
                }
                f.run();
            }
        }

        /** Cancels the jobs that have not started; running ones finish on their own (an image each). */
        @Override
        public synchronized void close() {
            closed = true;
            for (FutureTask<?> f : queue) {
                f.cancel(false);
            }
            queue.clear();
        }
    }
}
