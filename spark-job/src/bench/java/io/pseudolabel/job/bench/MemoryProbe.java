package io.pseudolabel.job.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import com.typesafe.config.Config;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.data.NioLocalFileSystem;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The child JVM of the memory scenario: runs {@code label} in {@code local[N]} under a fixed -Xmx and
 * prints one line {@code BENCH-MEMORY {json}}: the peak live heap (the heap a forced full GC left, as
 * the collector recorded it) at {@value #POINTS} fixed points of the
 * labelling stage (heap used right after a full GC, forced each time another tenth of the stage's tasks
 * has ended, so a small and a large run take the same number of samples at the same progress), the peak
 * live heap of full GCs forced every {@value #GC_EVERY_MS} ms (more samples in a longer run, so a higher
 * maximum of the same bounded quantity), the peak heap used after any GC (from GC notifications), the peak
 * heap used at any sample, and the process's peak RSS ({@code VmHWM}).
 *
 * <p>Arguments: master models voc split output
 */
public final class MemoryProbe {
    static final long GC_EVERY_MS = 5_000;
    /** Fixed samples: after 1/10, 2/10 ... 9/10 of the labelling stage's tasks have ended. */
    static final int POINTS = 9;
    static final String PREFIX = "BENCH-MEMORY ";

    private static volatile long liveMax;
    private static volatile int gcRetries;
    private static volatile int gcMissed;
    private static volatile int liveSamples;
    private static volatile long pointsMax;
    private static volatile int pointSamples;
    private static final Semaphore POINT_DUE = new Semaphore(0);
    private static volatile long afterGcMax;
    private static volatile long usedMax;
    private static volatile long rssMax;
    private static volatile long directMax;

    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        NioLocalFileSystem.installAsDefault(); // as Main does for every command
        String master = args[0];
        Path models = Path.of(args[1]);
        Path voc = Path.of(args[2]);
        String split = args[3];
        Path output = Path.of(args[4]);
        listenToGcs();
        Thread sampler = new Thread(MemoryProbe::sample, "bench-memory-sampler");
        sampler.setDaemon(true);
        AtomicReference<Throwable> samplerFailure = new AtomicReference<>();
        sampler.setUncaughtExceptionHandler((th, e) -> samplerFailure.set(e));
        sampler.start();
        Config config = BenchSpark.cheapestSam(BenchSpark.labelConfig(JobConfig.load(null, List.of()), models, voc, split,
                Supervision.BOXES, 1, 2), models);
        SparkSession spark = BenchSpark.start(master);
        spark.sparkContext().addSparkListener(new Points());
        long t0 = System.nanoTime();
        BenchSpark.LabelRun run;
        try {
            run = BenchSpark.label(spark, config, voc, output, "mem");
        } finally {
            spark.stop();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sampler.interrupt();
        sampler.join();
        if (samplerFailure.get() != null) {
            throw new IllegalStateException("bench memory: the sampler failed", samplerFailure.get());
        }
        measureLive();
        long[] rss = procStatus();
        rssMax = Math.max(rssMax, rss[1]);
        System.out.println(PREFIX + String.format(Locale.ROOT,
                "{\"images\": %d, \"ok\": %d, \"seconds\": %.2f, \"points_heap_max\": %d, \"points\": %d, "
                        + "\"live_heap_max\": %d, \"live_samples\": %d, \"heap_after_gc_max\": %d, "
                        + "\"heap_used_max\": %d, \"rss_hwm\": %d, \"heap_limit\": %d, \"gc_retries\": %d, "
                        + "\"gc_missed\": %d, \"direct_max\": %d}",
                run.labelled(), run.counts().getOrDefault("OK", 0L), seconds, pointsMax, pointSamples, liveMax,
                liveSamples, afterGcMax, usedMax, rss[0], Runtime.getRuntime().maxMemory(), gcRetries, gcMissed,
                directMax));
        System.exit(0);
    }

    private static void sample() {
        long lastGc = System.currentTimeMillis();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (POINT_DUE.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    long live = liveAfterFullGc();
                    if (live >= 0) {
                        pointsMax = Math.max(pointsMax, live);
                        pointSamples++;
                    }
                    lastGc = System.currentTimeMillis();
                }
                usedMax = Math.max(usedMax, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                rssMax = Math.max(rssMax, procStatus()[1]);
                directMax = Math.max(directMax, directBytes());
                if (System.currentTimeMillis() - lastGc >= GC_EVERY_MS) {
                    measureLive();
                    lastGc = System.currentTimeMillis();
                }
            }
        } catch (InterruptedException e) {
            // done
        }
    }

    private static void measureLive() {
        long live = liveAfterFullGc();
        if (live >= 0) {
            liveMax = Math.max(liveMax, live);
            liveSamples++;
        }
    }

    /**
     * Forces a full GC and returns the heap it left, as the collector recorded it at its end. Reading
     * {@code getHeapMemoryUsage()} after {@code gc()} returns also counts what the other threads allocated
     * in between (preparation allocates ~12 MB per image), and on a loaded machine the sampler can wait
     * hundreds of milliseconds for a core.
     */
    static long liveAfterFullGc() {
        com.sun.management.GarbageCollectorMXBean full = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().contains("Old") || gc.getName().contains("MarkSweep")) {
                full = (com.sun.management.GarbageCollectorMXBean) gc;
            }
        }
        if (full == null) {
            throw new IllegalStateException("bench memory: no full-GC collector bean among "
                    + ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        }
        GcInfo info = null;
        // System.gc() returns without collecting while a thread is in a JNI critical region (the GC locker;
        // ONNX Runtime reads float arrays that way): try again shortly, and count the misses in the output.
        for (int attempt = 0; attempt < 20 && info == null; attempt++) {
            long before = full.getCollectionCount();
            ManagementFactory.getMemoryMXBean().gc();
            if (full.getCollectionCount() > before) {
                info = full.getLastGcInfo();
            } else {
                gcRetries++;
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (info == null) {
            gcMissed++;
            return -1;
        }
        long after = 0;
        for (var e : info.getMemoryUsageAfterGc().entrySet()) {
            if (isHeapPool(e.getKey())) {
                after += e.getValue().getUsed();
            }
        }
        return after;
    }

    /** Asks the sampler for a fixed-point sample each time another tenth of the largest stage's tasks ends. */
    private static final class Points extends SparkListener {
        private final Map<Integer, Integer> tasks = new HashMap<>();
        private final Map<Integer, Integer> ended = new HashMap<>();

        @Override
        public synchronized void onStageSubmitted(SparkListenerStageSubmitted e) {
            tasks.put(e.stageInfo().stageId(), e.stageInfo().numTasks());
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
            int stage = e.stageId();
            int total = tasks.getOrDefault(stage, 0);
            // the labelling stage is the one with the most tasks (the others write or read a few files)
            if (total < tasks.values().stream().mapToInt(Integer::intValue).max().orElse(0) || total < 2) {
                return;
            }
            int points = Math.min(POINTS, total - 1); // a stage of fewer tasks: one sample per task end
            int before = ended.getOrDefault(stage, 0);
            ended.put(stage, before + 1);
            if ((before + 1) * (points + 1) / total > before * (points + 1) / total && before + 1 < total) {
                POINT_DUE.release();
            }
        }
    }

    private static void listenToGcs() {
        onHeapAfterGc(after -> afterGcMax = Math.max(afterGcMax, after));
    }

    /** Calls {@code sink} after every garbage collection with the bytes the heap pools hold after it. */
    static void onHeapAfterGc(LongConsumer sink) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info =
                            GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long after = 0;
                    for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (isHeapPool(e.getKey())) {
                            MemoryUsage u = e.getValue();
                            after += u.getUsed();
                        }
                    }
                    sink.accept(after);
                }, null, null);
            }
        }
    }

    /** What a child JVM printed: its result line (after the prefix, null if none) and its last 40 other lines. */
    record ChildOutput(String result, List<String> tail) {}

    /**
     * Reads {@code child}'s output to its end: the line starting with {@code prefix} is its result, the others are
     * kept as a tail of 40 lines for error messages and, when {@code log} is not null, every line is copied there.
     */
    static ChildOutput readChild(Process child, String prefix, Path log) throws IOException {
        String result = null;
        List<String> tail = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
                Writer w = log == null ? Writer.nullWriter() : Files.newBufferedWriter(log)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                w.write(line);
                w.write(System.lineSeparator());
                if (line.startsWith(prefix)) {
                    result = line.substring(prefix.length());
                } else {
                    tail.add(line);
                    if (tail.size() > 40) {
                        tail.remove(0);
                    }
                }
            }
        }
        return new ChildOutput(result, tail);
    }

    /**
     * The command line of a child JVM on this one's class path: this JVM's module openings and {@code -D} settings
     * (heap, agents and recordings are the caller's), then {@code heap}, then {@code -cp} and {@code mainClass}.
     */
    static List<String> childJvm(List<String> heap, Class<?> mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || (arg.startsWith("-D")
                    && !arg.startsWith("-Djava.class.path")) || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(heap);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return cmd;
    }

    static boolean isHeapPool(String name) {
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals(name)) {
                return pool.getType() == MemoryType.HEAP;
            }
        }
        return false;
    }

    /** Native memory held by direct NIO buffers (freed only when the GC finds their owners unreachable). */
    static long directBytes() {
        for (BufferPoolMXBean pool
                : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    /** {VmHWM, VmRSS} in bytes from /proc/self/status, or zeros off Linux. */
    static long[] procStatus() {
        long hwm = 0, rss = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                } else if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return new long[] {hwm, rss};
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
}
