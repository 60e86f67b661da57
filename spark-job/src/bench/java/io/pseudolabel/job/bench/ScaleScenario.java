package io.pseudolabel.job.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.typesafe.config.Config;
import io.pseudolabel.job.StandaloneCluster;
import io.pseudolabel.job.label.LabelJob;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 19: the driver at COCO scale. On a dataset with train2017's shape ({@link ScaleDataset}, N = 118,287
 * by default) and a previous run of N rows written straight into two output roots ({@link ScalePrevious}), a
 * driver in a JVM of its own ({@link ScaleProbe}, {@value #DRIVER_HEAP}) with two one-core executors on a
 * standalone cluster on 127.0.0.1 runs: an unchanged incremental night; a night where the newest 1% of the
 * images are new, then those images alone; {@code eval} of the COCO ground truth against the N-row table.
 * Rows: planning time, the unchanged night end to end, the 1% night's time above labelling its images alone,
 * and the driver's peak live heap in each, with its bytes per image.
 */
final class ScaleScenario {
    static final String ID = "scale";
    static final String DRIVER_HEAP = "-Xmx2g";
    static final String EXECUTOR_MEMORY = "1536m";
    static final double PLAN_BUDGET_S = 60;
    static final double UNCHANGED_BUDGET_S = 120;
    static final double OVERHEAD_BUDGET_S = 60;
    static final double HEAP_BUDGET_MB = 1024;

    private final Bench.Options options;
    private final Config base;
    private final Path work;
    private final PrintStream log;

    ScaleScenario(Bench.Options options, Config base, Path work, PrintStream log) {
        this.options = options;
        this.base = base;
        this.work = work;
        this.log = log;
    }

    /** The label config of every scale run: COCO layout, given boxes (SAM only), the cheapest fixture SAM. */
    static Config config(Config base, Path models, ScaleDataset.Layout layout, Path json) {
        return BenchSpark.cheapestSam(BenchSpark.with(base, Map.of(
                "pseudolabel.models.dir", models.toString(),
                "pseudolabel.supervision", "boxes",
                "pseudolabel.models.ort.intra-op-threads", 1,
                "pseudolabel.models.ort.inter-op-threads", 1,
                "pseudolabel.job.layout", "coco",
                "pseudolabel.job.annotations", json.toString(),
                "pseudolabel.job.classes", layout.classes().toString(),
                "pseudolabel.job.progress-interval", "1h")), models);
    }

    List<BenchRow> run() throws Exception {
        int n = options.imagesOr(ScaleDataset.COCO_IMAGES);
        long t0 = System.nanoTime();
        ScaleDataset.Layout layout = ScaleDataset.ensure(work.resolve("scale-coco-" + n), n);
        double generated = (System.nanoTime() - t0) / 1e9;
        step(String.format(Locale.ROOT, "dataset: %d images, %d annotations (%d crowd), %s of JSON (%.0f s)", n,
                layout.annotations(), layout.crowd(), mb(layout.jsonBytes()), generated));
        Path dir = work.resolve("scale-cluster");
        Datasets.deleteTree(dir);
        Files.createDirectories(dir);
        Path rootAll = work.resolve("scale-root-all");
        Path rootNew = work.resolve("scale-root-new");
        double previousSeconds;
        try (StandaloneCluster cluster = StandaloneCluster.launch(dir, List.of("", ""), 2048, TrainScenario.project())) {
            // the previous night, straight into both roots, while the servers boot
            long p0 = System.nanoTime();
            Config config = config(base, options.models(), layout, layout.json());
            SparkSession spark = BenchSpark.start("local[2]");
            try {
                String fingerprint = LabelJob.Labeling.of(config, spark.sparkContext().hadoopConfiguration())
                        .fingerprint();
                Dataset<Row> listing = LabelJob.listing(spark, config, layout.images().toString(), true)
                        .persist(StorageLevel.MEMORY_AND_DISK());
                ScalePrevious.write(spark, config, layout, listing, rootAll, "previous", true, fingerprint);
                ScalePrevious.write(spark, config, layout, listing, rootNew, "previous", false, fingerprint);
                listing.unpersist();
            } finally {
                spark.stop();
                SparkSession.clearActiveSession();
                SparkSession.clearDefaultSession();
            }
            previousSeconds = (System.nanoTime() - p0) / 1e9;
            step(String.format(Locale.ROOT, "previous runs written (%.0f s)", previousSeconds));
            cluster.awaitWorkers();
            ScaleProbe.Args common = new ScaleProbe.Args(null, cluster.masterUrl(), cluster.applicationJars(),
                    layout.root().toString(), n, options.models().toString(), rootAll.toString(), rootNew.toString(),
                    work.resolve("scale-root-alone").toString());
            JsonObject unchanged = probe(common, "unchanged", cluster);
            step("unchanged night done");
            JsonObject fresh = probe(common, "new", cluster);
            step("1% new night done");
            JsonObject eval = probe(common, "eval", cluster);
            step("eval done");
            return rows(layout, generated, previousSeconds, unchanged, fresh, eval);
        }
    }

    private List<BenchRow> rows(ScaleDataset.Layout l, double generated, double previousSeconds, JsonObject unchanged,
            JsonObject fresh, JsonObject eval) {
        int n = l.imageCount();
        List<BenchRow> rows = new ArrayList<>();
        String how = String.format(Locale.ROOT, "%d images 32x24 (COCO train2017's shape: %d annotations, %s JSON), "
                + "layout coco, supervision boxes, --incremental; driver JVM %s, 2 one-core executors (standalone "
                + "cluster on 127.0.0.1)", n, l.annotations(), mb(l.jsonBytes()), DRIVER_HEAP);
        JsonObject night = unchanged.getAsJsonObject("night");
        JsonObject d = night.getAsJsonObject("durations");
        double plan = (d.get("list").getAsLong() + d.get("plan").getAsLong()) / 1000.0;
        rows.add(BenchRow.atMost(ID, "planning an incremental night (list + annotations + diff with " + n + " rows)",
                plan, "s", PLAN_BUDGET_S, String.format(Locale.ROOT, "unchanged night's manifest: list %.1f s (lease, "
                        + "model fingerprint, listing, annotations) + plan %.1f s; %s", d.get("list").getAsLong()
                        / 1000.0, d.get("plan").getAsLong() / 1000.0, how)));
        rows.add(BenchRow.atMost(ID, "unchanged night end to end", night.get("seconds").getAsDouble(), "s",
                UNCHANGED_BUDGET_S, String.format(Locale.ROOT, "LabelJob.run in a fresh driver JVM (session up: %.1f "
                        + "s before): outcome %s, %d of %d carried, %d labelled", unchanged.get("session_seconds")
                        .getAsDouble(), night.get("outcome").getAsString(), night.get("carried").getAsLong(),
                        night.get("total").getAsLong(), night.get("labelled").getAsLong())));
        JsonObject fn = fresh.getAsJsonObject("night");
        JsonObject alone = fresh.getAsJsonObject("alone");
        double overhead = fn.get("seconds").getAsDouble() - alone.get("seconds").getAsDouble();
        JsonObject fd = fn.getAsJsonObject("durations");
        rows.add(BenchRow.atMost(ID, "1% new night: wall above labelling its images alone", overhead, "s",
                OVERHEAD_BUDGET_S, String.format(Locale.ROOT, "night %.1f s (%d labelled, %d carried; list %.1f + plan "
                        + "%.1f + label and write %.1f s) minus the same %d images labelled alone into an empty root "
                        + "right after, same JVM and executors (%.1f s)", fn.get("seconds").getAsDouble(),
                        fn.get("labelled").getAsLong(), fn.get("carried").getAsLong(), fd.get("list").getAsLong() / 1000.0,
                        fd.get("plan").getAsLong() / 1000.0, fd.get("label").getAsLong() / 1000.0,
                        alone.get("labelled").getAsLong(), alone.get("seconds").getAsDouble())));
        rows.add(heap("unchanged night", unchanged, night, n));
        rows.add(heap("1% new night", fresh, fn, n));
        JsonObject e = eval.getAsJsonObject("eval");
        rows.add(heap("eval, COCO ground truth vs " + n + " predictions", eval, e, n));
        rows.add(BenchRow.info(ID, "  eval wall", e.get("seconds").getAsDouble(), "s", String.format(Locale.ROOT,
                "%d images scored, mIoU %.3f; the ground truth's polygons and RLEs rasterised per image in the executors' "
                        + "tasks", e.get("images").getAsLong(), e.get("miou").getAsDouble())));
        rows.add(BenchRow.info(ID, "  1% night: list + plan", (fd.get("list").getAsLong() + fd.get("plan").getAsLong())
                / 1000.0, "s", "from its manifest"));
        rows.add(BenchRow.info(ID, "  dataset", l.jsonBytes() / 1e6, "MB", String.format(Locale.ROOT,
                "instances JSON; %d images, %d annotations (%d crowd RLE); %s (%.0f s)", n, l.annotations(), l.crowd(),
                generated > 5 ? "generated" : "reused", generated)));
        rows.add(BenchRow.info(ID, "  previous runs written", previousSeconds, "s", "two roots of " + n + " and "
                + (n - l.newImages()) + " rows straight from the listing (no model), local[2]"));
        return rows;
    }

    private static BenchRow heap(String what, JsonObject probe, JsonObject phase, int n) {
        long live = phase.get("live_max").getAsLong();
        long baseline = probe.get("baseline_live").getAsLong();
        double perImage = (double) (live - baseline) / n;
        return BenchRow.atMost(ID, "peak live driver heap, " + what, live / 1048576.0, "MB", HEAP_BUDGET_MB,
                String.format(Locale.ROOT, "%.0f bytes per image above the %s baseline (session up, before the run); "
                        + "full GC every %d s, %d samples%s; peak heap after any GC %s", perImage, mb(baseline),
                        ScaleProbe.GC_EVERY_MS / 1000, phase.get("samples").getAsInt(), phase.get("missed").getAsInt() > 0
                                ? " (" + phase.get("missed").getAsInt() + " missed)" : "",
                        mb(phase.get("after_gc_max").getAsLong())));
    }

    private void step(String what) {
        log.println("[bench scale] " + what);
        log.flush();
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1048576.0);
    }

    private JsonObject probe(ScaleProbe.Args common, String mode, StandaloneCluster cluster) throws Exception {
        ScaleProbe.Args a = new ScaleProbe.Args(mode, common.master(), common.jars(), common.dataset(), common.images(),
                common.models(), common.rootAll(), common.rootNew(), common.scratch());
        List<String> cmd = new ArrayList<>(MemoryProbe.childJvm(List.of(DRIVER_HEAP), ScaleProbe.class));
        cmd.add(new Gson().toJson(a));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Path logFile = work.resolve("scale-" + mode + ".log");
        MemoryProbe.ChildOutput o = MemoryProbe.readChild(p, ScaleProbe.PREFIX, logFile);
        String result = o.result();
        List<String> tail = o.tail();
        int code = p.waitFor();
        if (code != 0 || result == null) {
            throw new IllegalStateException("bench scale: the " + mode + " driver exited with " + code + " (log "
                    + logFile + "):\n" + String.join("\n", tail) + "\n" + cluster.logTail());
        }
        Files.writeString(work.resolve("scale-" + mode + ".json"), result + "\n");
        return JsonParser.parseString(result).getAsJsonObject();
    }
}
