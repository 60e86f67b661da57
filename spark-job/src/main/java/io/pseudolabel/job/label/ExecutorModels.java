package io.pseudolabel.job.label;

import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.labeler.ModelSet;
import io.pseudolabel.onnx.RuntimeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model set per executor JVM and device, keyed by model fingerprint: created lazily by the
 * first task that needs it and shared by every later task (ONNX Runtime sessions are thread-safe).
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<String, ModelSet> CACHE = new ConcurrentHashMap<>();
    private static final Map<String, ClipModel> CLIP_CACHE = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final Map<String, AtomicInteger> LOADS_BY_KEY = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    public static ModelSet get(LabelerSettings settings, String fingerprint, RuntimeOptions runtime) {
        String key = key(fingerprint, runtime);
        return CACHE.computeIfAbsent(key, k -> {
            long start = System.nanoTime();
            ModelSet set = ModelSet.load(settings, runtime);
            LOADS.incrementAndGet();
            LOADS_BY_KEY.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            LOG.info("loaded models {} on {} in {} ms", fingerprint, runtime.cacheKey(),
                    (System.nanoTime() - start) / 1_000_000);
            return set;
        });
    }

    /** CLIP alone (finetune-clip needs nothing else), cached like the model sets, by CLIP fingerprint. */
    public static ClipModel clip(java.nio.file.Path dir, String clipFingerprint, RuntimeOptions runtime) {
        return CLIP_CACHE.computeIfAbsent(key(clipFingerprint, runtime), k -> {
            long start = System.nanoTime();
            ClipModel clip = ClipModel.load(dir, runtime);
            LOG.info("loaded CLIP {} on {} in {} ms", clipFingerprint, runtime.cacheKey(),
                    (System.nanoTime() - start) / 1_000_000);
            return clip;
        });
    }

    /** How many model sets this JVM has loaded; the cluster test checks it is one per executor. */
    public static int loads() {
        return LOADS.get();
    }

    /** How many times this JVM has loaded the model set of {@code fingerprint} on {@code runtime}'s device. */
    public static int loads(String fingerprint, RuntimeOptions runtime) {
        AtomicInteger n = LOADS_BY_KEY.get(key(fingerprint, runtime));
        return n == null ? 0 : n.get();
    }

    private static String key(String fingerprint, RuntimeOptions runtime) {
        return fingerprint + "@" + runtime.cacheKey();
    }

    /** Closes and forgets every model set (tests, and the demo before it exits). */
    public static synchronized void clear() {
        CACHE.values().forEach(ModelSet::close);
        CACHE.clear();
        CLIP_CACHE.values().forEach(ClipModel::close);
        CLIP_CACHE.clear();
    }
}
