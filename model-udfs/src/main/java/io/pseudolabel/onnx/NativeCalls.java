package io.pseudolabel.onnx;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every call into ONNX Runtime or libtorch that runs a model goes through here, so that a JVM about to exit
 * can first wait until no thread is inside one.
 *
 * <p>Why: ONNX Runtime's Java binding registers a JVM shutdown hook ({@code OrtEnvironment$OrtEnvCloser})
 * that releases the native environment. A thread still inside {@code OrtSession.run} when that hook runs
 * reads freed memory and the JVM dies with SIGSEGV in {@code libonnxruntime} (exit 134 and an
 * {@code hs_err_pid*.log}). Spark does not wait for tasks it kills, so after a failed job such threads are
 * common. Shutdown hooks run concurrently, so waiting inside another hook cannot help; the process has to
 * {@link #closeAndAwait} before it calls {@code System.exit}.
 */
public final class NativeCalls {
    private static final Object LOCK = new Object();
    private static int inFlight;
    private static boolean closed;

    private NativeCalls() {}

    /**
     * Runs {@code call} counted as in flight.
     *
     * @param what named in the error when calls are closed
     * @throws IllegalStateException when {@link #closeAndAwait} has closed calls (the JVM is exiting)
     */
    public static <T> T run(String what, Supplier<T> call) {
        synchronized (LOCK) {
            if (closed) {
                throw new IllegalStateException("not running " + what + ": this JVM is exiting and model calls are "
                        + "closed");
            }
            inFlight++;
        }
        try {
            return call.get();
        } finally {
            synchronized (LOCK) {
                inFlight--;
                LOCK.notifyAll();
            }
        }
    }

    /** How many threads are inside a model call now. */
    public static int inFlight() {
        synchronized (LOCK) {
            return inFlight;
        }
    }

    /**
     * Refuses every later call and waits up to {@code timeoutMillis} until none is in flight. Call once, just
     * before the JVM exits; nothing reopens them.
     *
     * @return whether no call was in flight when it returned
     */
    public static boolean closeAndAwait(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (LOCK) {
            closed = true;
            while (inFlight > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                LOCK.wait(left);
            }
            return true;
        }
    }
}
