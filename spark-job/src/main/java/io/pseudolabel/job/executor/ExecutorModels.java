package io.pseudolabel.job.executor;

import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.labeler.ModelSet;
import io.pseudolabel.onnx.RuntimeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One loaded model set per executor JVM and device, keyed by model fingerprint: created lazily by the
 * first task that needs it and shared by every later task (ONNX Runtime sessions are thread-safe).
 *
 * <p>Tasks hold a {@link Lease} on what they use for as long as they run, and models are closed only when
 * no lease is left: {@link #clear()} retires every cached model at once, but one a task still holds is
 * closed when that task releases it, never under a running model call (closing an ONNX Runtime session
 * while another thread is inside {@code run} frees memory that call is using).
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static final Map<String, Entry<ModelSet>> CACHE = new HashMap<>();
    /** Guarded by LOCK. */
    private static final Map<String, Entry<ClipModel>> CLIP_CACHE = new HashMap<>();
    /** Guarded by LOCK: every entry with leases or not yet closed, cached or retired. */
    private static final List<Entry<?>> OPEN = new ArrayList<>();
    private static final Map<String, AtomicInteger> LOADS_BY_KEY = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /** A task's use of a cached model: {@link #close()} it when the task is done with the model. */
    public static final class Lease<T extends AutoCloseable> implements AutoCloseable {
        private final Entry<T> entry;
        private boolean released;

        private Lease(Entry<T> entry) {
            this.entry = entry;
        }

        public T get() {
            synchronized (LOCK) {
                if (released) {
                    throw new IllegalStateException("model lease already released");
                }
            }
            return entry.model;
        }

        /** Releases the model; idempotent. The last release of a retired model closes it. */
        @Override
        public void close() {
            synchronized (LOCK) {
                if (released) {
                    return;
                }
                released = true;
                entry.leases--;
                if (entry.leases > 0 || !entry.retired) {
                    return;
                }
            }
            entry.closeNow();
        }
    }

    private static final class Entry<T extends AutoCloseable> {
        final String key;
        /** Counted down once the model is loaded, or its loading failed. */
        final CountDownLatch ready = new CountDownLatch(1);
        /** Set before {@link #ready} opens. */
        volatile T model;
        volatile Throwable failure;
        /** Guarded by LOCK. */
        int leases;
        /** Guarded by LOCK: cleared from the cache; closed by the last lease. */
        boolean retired;
        /** Guarded by LOCK. */
        boolean closed;

        Entry(String key) {
            this.key = key;
        }

        /** Closes the model once; the caller has checked there is no lease. */
        void closeNow() {
            synchronized (LOCK) {
                if (closed || model == null) {
                    OPEN.remove(this);
                    closed = true;
                    return;
                }
                closed = true;
                OPEN.remove(this);
            }
            try {
                model.close();
                LOG.info("closed models {}", key);
            } catch (Exception e) {
                throw new IllegalStateException("closing models " + key + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The model set of {@code fingerprint} on {@code runtime}'s device, loaded on first use; hold the lease
     * while any model of it may run.
     */
    public static Lease<ModelSet> acquire(LabelerSettings settings, String fingerprint, RuntimeOptions runtime) {
        return lease(CACHE, key(fingerprint, runtime), () -> {
            long start = System.nanoTime();
            ModelSet set = ModelSet.load(settings, runtime);
            LOADS_BY_KEY.computeIfAbsent(key(fingerprint, runtime), x -> new AtomicInteger()).incrementAndGet();
            LOG.info("loaded models {} on {} in {} ms", fingerprint, runtime.cacheKey(),
                    (System.nanoTime() - start) / 1_000_000);
            return set;
        });
    }

    /** CLIP alone (eval-classify, finetune-clip need nothing else), cached like the model sets, by CLIP fingerprint. */
    public static Lease<ClipModel> acquireClip(Path dir, String clipFingerprint, RuntimeOptions runtime) {
        return lease(CLIP_CACHE, key(clipFingerprint, runtime), () -> {
            long start = System.nanoTime();
            ClipModel clip = ClipModel.load(dir, runtime);
            LOG.info("loaded CLIP {} on {} in {} ms", clipFingerprint, runtime.cacheKey(),
                    (System.nanoTime() - start) / 1_000_000);
            return clip;
        });
    }

    /**
     * A lease on the cached entry of {@code key}, loading it first when there is none. Loading happens
     * outside the cache lock (it takes seconds), once per key: concurrent tasks wait for the first one.
     */
    private static <T extends AutoCloseable> Lease<T> lease(Map<String, Entry<T>> cache, String key, Supplier<T> load) {
        Entry<T> entry;
        boolean mine = false;
        synchronized (LOCK) {
            entry = cache.get(key);
            if (entry == null) {
                entry = new Entry<>(key);
                cache.put(key, entry);
                OPEN.add(entry);
                mine = true;
            }
            entry.leases++;
        }
        Lease<T> lease = new Lease<>(entry);
        if (mine) {
            try {
                entry.model = load.get();
            } catch (RuntimeException | Error e) {
                entry.failure = e;
                synchronized (LOCK) {
                    cache.remove(key, entry);
                    entry.retired = true; // the last lease takes it out of OPEN
                }
                lease.close();
                throw e;
            } finally {
                entry.ready.countDown();
            }
            return lease;
        }
        try {
            entry.ready.await();
        } catch (InterruptedException e) {
            lease.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while another task loaded models " + key, e);
        }
        if (entry.model == null) {
            lease.close();
            throw new IllegalStateException("loading models " + key + " failed in another task: "
                    + entry.failure.getMessage(), entry.failure);
        }
        return lease;
    }

    /** How many times this JVM has loaded the model set of {@code fingerprint} on {@code runtime}'s device. */
    public static int loads(String fingerprint, RuntimeOptions runtime) {
        AtomicInteger n = LOADS_BY_KEY.get(key(fingerprint, runtime));
        return n == null ? 0 : n.get();
    }

    /** Leases held now, over every model of this JVM (tests; 0 once no task uses a model). */
    public static int leases() {
        synchronized (LOCK) {
            return OPEN.stream().mapToInt(e -> e.leases).sum();
        }
    }

    /** Models loaded and not closed yet, cached or retired (tests). */
    public static int open() {
        synchronized (LOCK) {
            return (int) OPEN.stream().filter(e -> e.model != null && !e.closed).count();
        }
    }

    private static String key(String fingerprint, RuntimeOptions runtime) {
        return fingerprint + "@" + runtime.cacheKey();
    }

    /**
     * Forgets every cached model (tests, bench, the demo before it exits): models no task holds are closed
     * now, the others when their last lease is released.
     */
    public static void clear() {
        List<Entry<?>> now = new ArrayList<>();
        synchronized (LOCK) {
            List<Entry<?>> all = new ArrayList<>(CACHE.values());
            all.addAll(CLIP_CACHE.values());
            CACHE.clear();
            CLIP_CACHE.clear();
            for (Entry<?> e : all) {
                e.retired = true;
                if (e.leases == 0) {
                    now.add(e);
                } else {
                    LOG.info("models {} are in use by {} task(s): closed when the last releases them", e.key,
                            e.leases);
                }
            }
        }
        now.forEach(Entry::closeNow);
    }
}
