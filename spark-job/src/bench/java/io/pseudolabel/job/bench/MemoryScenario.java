package io.pseudolabel.job.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 4: does memory grow with the dataset? The same label job over {@code small} and {@code large}
 * images (the large set is the small set's scenes plus hard-linked copies), each in a fresh child JVM
 * ({@link MemoryProbe}) running {@code local[2]} under a fixed {@code -Xmx}; peak live heap and peak RSS
 * of the two runs must be within 10% of each other. Cheapest path: given boxes (SAM only), 320x240 scenes
 * with one object.
 */
final class MemoryScenario {
    static final String ID = "memory";
    static final String XMX = "-Xmx2g";
    /** The whole heap committed and touched up front, so RSS does not follow G1's heap sizing. */
    static final List<String> HEAP = List.of("-Xms2g", XMX, "-XX:+AlwaysPreTouch");
    static final double BUDGET = 1.10;

    private final Bench.Options options;
    private final Path voc;
    private final Path work;
    private final int small;
    private final int large;

    MemoryScenario(Bench.Options options, Path voc, Path work, int small, int large) {
        this.options = options;
        this.voc = voc;
        this.work = work;
        this.small = small;
        this.large = large;
    }

    record Probe(int images, long ok, double seconds, long pointsHeap, int points, long liveHeap, int liveSamples,
            long heapAfterGc, long heapUsed, long rss, int gcMissed, long direct) {}

    List<BenchRow> run() throws IOException, InterruptedException {
        Probe a = probe(small);
        Probe b = probe(large);
        List<BenchRow> rows = new ArrayList<>();
        String how = "child JVM " + String.join(" ", HEAP) + ", local[2], supervision boxes (SAM only, sam-chw), 320x240 scenes, 1 object; "
                + small + " vs "
                + large + " images";
        double heapRatio = (double) b.pointsHeap() / a.pointsHeap();
        double rssRatio = (double) b.rss() / a.rss();
        rows.add(within(ID, "peak live heap, " + large + " / " + small + " images", heapRatio,
                how + "; heap after a full GC at " + MemoryProbe.POINTS + " fixed points of the labelling stage (each "
                        + "tenth of its tasks; " + a.points() + " vs " + b.points() + " samples): " + mb(a.pointsHeap())
                        + " vs " + mb(b.pointsHeap()) + (a.gcMissed() + b.gcMissed() > 0 ? "; " + a.gcMissed() + " vs "
                        + b.gcMissed() + " forced GCs did not run (GC locker), their samples are missing" : "")));
        rows.add(within(ID, "peak RSS (VmHWM), " + large + " / " + small + " images", rssRatio,
                mb(a.rss()) + " vs " + mb(b.rss())));
        rows.add(BenchRow.info(ID, "  peak live heap, full GC every " + MemoryProbe.GC_EVERY_MS / 1000 + " s, " + large
                + " / " + small, (double) b.liveHeap() / a.liveHeap(), "", mb(a.liveHeap()) + " vs "
                + mb(b.liveHeap()) + " over " + a.liveSamples() + " vs " + b.liveSamples()
                + " samples (a longer run samples the same bounded look-ahead more often)"));
        rows.add(BenchRow.info(ID, "  peak heap after any GC, " + large + " / " + small, (double) b.heapAfterGc()
                / a.heapAfterGc(), "", mb(a.heapAfterGc()) + " vs " + mb(b.heapAfterGc()) + " (young GCs leave garbage in old)"));
        rows.add(BenchRow.info(ID, "  peak direct buffers, " + large + " / " + small, (double) Math.max(1, b.direct())
                / Math.max(1, a.direct()), "", mb(a.direct()) + " vs " + mb(b.direct())
                + " (native memory of NIO buffers, part of RSS)"));
        rows.add(BenchRow.info(ID, "  label wall, " + small + " images", a.seconds(), "s", a.ok() + " OK"));
        rows.add(BenchRow.info(ID, "  label wall, " + large + " images", b.seconds(), "s", b.ok() + " OK; "
                + String.format(Locale.ROOT, "%.1f", b.images() / b.seconds()) + " images/s"));
        rows.add(BenchRow.info(ID, "  label wall per image beyond the first " + small, 1000 * (b.seconds() - a.seconds())
                / Math.max(1, b.images() - a.images()), "ms", "(wall " + large + " - wall " + small + ") / "
                + (large - small) + ": what an image adds once the job's fixed costs (JVM, Spark and model start, "
                + "JIT) are paid; compare the spark row's plain loop per image"));
        return rows;
    }

    private static BenchRow within(String scenario, String metric, double ratio, String note) {
        boolean ok = ratio <= BUDGET && ratio >= 1 / BUDGET;
        return new BenchRow(scenario, metric, ratio, "", "within 10%", ok ? BenchRow.Verdict.PASS : BenchRow.Verdict.MISS,
                note);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / (1024.0 * 1024.0));
    }

    private Probe probe(int images) throws IOException, InterruptedException {
        Path out = work.resolve("memory-runs-" + images);
        Datasets.deleteTree(out);
        List<String> cmd = MemoryProbe.childJvm(HEAP, MemoryProbe.class);
        cmd.addAll(List.of("local[2]", options.models().toString(), voc.toString(), "n" + images, out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        MemoryProbe.ChildOutput o = MemoryProbe.readChild(p, MemoryProbe.PREFIX, null);
        String result = o.result();
        List<String> tail = o.tail();
        int code = p.waitFor();
        if (code != 0 || result == null) {
            throw new IllegalStateException("bench memory: child JVM for " + images + " images exited with " + code
                    + ":\n" + String.join("\n", tail));
        }
        Files.writeString(work.resolve("memory-" + images + ".json"), result + "\n");
        JsonObject j = JsonParser.parseString(result).getAsJsonObject();
        return new Probe(j.get("images").getAsInt(), j.get("ok").getAsLong(), j.get("seconds").getAsDouble(),
                j.get("points_heap_max").getAsLong(), j.get("points").getAsInt(), j.get("live_heap_max").getAsLong(),
                j.get("live_samples").getAsInt(), j.get("heap_after_gc_max").getAsLong(),
                j.get("heap_used_max").getAsLong(), j.get("rss_hwm").getAsLong(), j.get("gc_missed").getAsInt(),
                j.get("direct_max").getAsLong());
    }
}
