package io.pseudolabel.job.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.NioLocalFileSystem;
import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Runs;
import org.apache.spark.sql.SparkSession;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The driver of the {@code scale} scenario, in a JVM of its own under a fixed {@code -Xmx}, its executors in
 * other JVMs (a standalone cluster), so the heap measured here is the driver's alone. Runs one case and prints
 * one line {@code BENCH-SCALE {json}}: per phase its wall time, the peak live heap (the heap a full GC left,
 * forced every {@value #GC_EVERY_MS} ms and at the phase's end), the peak heap after any GC, and what the
 * run reported. The baseline is the live heap once the session and its executors are up, before any phase.
 *
 * <p>Cases: {@code unchanged} (an incremental night over a root whose published run holds every image),
 * {@code new} (an incremental night where the newest 1% of the images are new, then the same images labelled
 * alone into an empty root), {@code eval} (COCO ground truth against the published run's table).
 */
public final class ScaleProbe {
    static final String PREFIX = "BENCH-SCALE ";
    static final long GC_EVERY_MS = 3_000;

    /** What the parent passes, as one JSON argument. */
    record Args(String mode, String master, List<String> jars, String dataset, int images, String models,
            String rootAll, String rootNew, String scratch) {}

    private static final Object LOCK = new Object();
    private static long liveMax;
    private static long afterGcMax;
    private static int samples;
    private static int missed;

    private ScaleProbe() {}

    public static void main(String[] argv) throws Exception {
        NioLocalFileSystem.installAsDefault(); // as Main does for every command
        Args a = new Gson().fromJson(argv[0], Args.class);
        listenToGcs();
        Thread sampler = new Thread(ScaleProbe::sample, "bench-scale-sampler");
        sampler.setDaemon(true);
        sampler.start();
        ScaleDataset.Layout layout = ScaleDataset.ensure(Path.of(a.dataset()), a.images());
        Config base = JobConfig.load(null, List.of());
        long t0 = System.nanoTime();
        SparkSession spark = session(a);
        JsonObject out = new JsonObject();
        out.addProperty("session_seconds", (System.nanoTime() - t0) / 1e9);
        out.addProperty("baseline_live", live());
        out.addProperty("heap_limit", Runtime.getRuntime().maxMemory());
        try {
            switch (a.mode()) {
                case "unchanged" -> out.add("night", phase(() -> night(spark, ScaleScenario.config(base,
                        Path.of(a.models()), layout, layout.json()), layout, a.rootAll(), "night")));
                case "new" -> {
                    out.add("night", phase(() -> night(spark, ScaleScenario.config(base, Path.of(a.models()), layout,
                            layout.json()), layout, a.rootNew(), "night")));
                    // the same images alone, non-incremental, into an empty root: labelling without the planning
                    out.add("alone", phase(() -> alone(spark, ScaleScenario.config(base, Path.of(a.models()), layout,
                            layout.newJson()), layout, a.scratch())));
                }
                case "eval" -> out.add("eval", phase(() -> eval(spark, layout, a.rootAll(), ImageLimits.from(base))));
                default -> throw new IllegalArgumentException("unknown case " + a.mode());
            }
        } finally {
            spark.stop();
        }
        System.out.println(PREFIX + out);
        System.out.flush();
        System.exit(0);
    }

    private static SparkSession session(Args a) throws InterruptedException {
        SparkSession.Builder b = SparkSession.builder().master(a.master()).appName("pseudolabel bench scale " + a.mode())
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false");
        if (a.master().startsWith("spark://")) {
            b.config("spark.jars", String.join(",", a.jars()))
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.executor.memory", ScaleScenario.EXECUTOR_MEMORY).config("spark.executor.cores", "1")
                    .config("spark.cores.max", "2")
                    .config("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true");
        }
        SparkSession spark = b.getOrCreate();
        if (a.master().startsWith("spark://")) {
            long deadline = System.currentTimeMillis() + 180_000;
            while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // 2 + the driver
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("bench scale: two executors did not register");
                }
                Thread.sleep(100);
            }
        }
        return spark;
    }

    private static JsonObject night(SparkSession spark, Config config, ScaleDataset.Layout layout, String root,
            String runId) throws Exception {
        LabelJob.Summary s = LabelJob.run(spark, config, new LabelJob.Options(layout.images().toString(), root, runId,
                true), BenchSpark.quiet());
        JsonObject j = summary(s);
        JsonObject m = JsonParser.parseString(Files.readString(Path.of(URI.create(Runs.manifest(
                HadoopFiles.normalize(root), runId))))).getAsJsonObject();
        j.add("durations", m.get("durationsMillis"));
        return j;
    }

    private static JsonObject alone(SparkSession spark, Config config, ScaleDataset.Layout layout, String root)
            throws Exception {
        Datasets.deleteTree(Path.of(root));
        return summary(LabelJob.run(spark, config, new LabelJob.Options(layout.images().toString(), root, "alone",
                false), BenchSpark.quiet()));
    }

    private static JsonObject summary(LabelJob.Summary s) {
        JsonObject j = new JsonObject();
        j.addProperty("total", s.total());
        j.addProperty("labelled", s.labelled());
        j.addProperty("carried", s.carriedOver());
        j.addProperty("outcome", s.outcome());
        j.addProperty("ok", s.counts().getOrDefault("OK", 0L));
        return j;
    }

    private static JsonObject eval(SparkSession spark, ScaleDataset.Layout layout, String pred, ImageLimits limits) {
        EvalResult r = EvalJob.run(spark, EvalJob.Spec.of(pred, layout.json().toString(), limits));
        JsonObject j = new JsonObject();
        j.addProperty("images", r.numImages());
        j.addProperty("miou", r.miou());
        return j;
    }

    /** Runs one phase: its result, wall seconds and heap peaks (the maxima restart with the phase). */
    private static JsonObject phase(Callable<JsonObject> body) throws Exception {
        synchronized (LOCK) {
            liveMax = 0;
            afterGcMax = 0;
            samples = 0;
            missed = 0;
        }
        long t0 = System.nanoTime();
        JsonObject j = body.call();
        double seconds = (System.nanoTime() - t0) / 1e9;
        live(); // the end of the phase counts too
        synchronized (LOCK) {
            j.addProperty("seconds", seconds);
            j.addProperty("live_max", liveMax);
            j.addProperty("after_gc_max", afterGcMax);
            j.addProperty("samples", samples);
            j.addProperty("missed", missed);
        }
        return j;
    }

    private static void sample() {
        try {
            while (true) {
                Thread.sleep(GC_EVERY_MS);
                live();
            }
        } catch (InterruptedException e) {
            // done
        }
    }

    /** Forces a full GC and records the heap it left; returns it (-1 when the GC did not run). */
    private static long live() {
        synchronized (LOCK) {
            long v = MemoryProbe.liveAfterFullGc();
            if (v < 0) {
                missed++;
            } else {
                samples++;
                liveMax = Math.max(liveMax, v);
            }
            return v;
        }
    }

    private static void listenToGcs() {
        MemoryProbe.onHeapAfterGc(after -> {
            synchronized (LOCK) {
                afterGcMax = Math.max(afterGcMax, after);
            }
        });
    }
}
