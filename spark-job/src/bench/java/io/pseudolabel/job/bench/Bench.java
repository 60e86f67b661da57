package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code pseudolabel bench}: every benchmark scenario of issue 7 in one run, each against its budget.
 * Prints one table, and writes {@code bench.json} and {@code bench.md} (plus its working data under
 * {@code work/}) into the output directory.
 */
public final class Bench {
    /** Scenario ids in the order they run. */
    public static final List<String> SCENARIOS = List.of("cpu", "overlap", "spark", "memory", "eval", "train", "scale", "s3");
    /**
     * Scenarios that run only when {@code --only} names them: they write hundreds of MB of data and take
     * minutes each.
     */
    public static final Set<String> ON_REQUEST = Set.of("scale", "s3");

    /**
     * @param images images per scenario; -1 = each scenario's default
     * @param repeats timed repeats (medians are taken over them)
     */
    public record Options(int images, Path output, Set<String> only, int repeats, int sparkRepeats, Path models) {
        boolean runs(String scenario) {
            return only.isEmpty() ? !ON_REQUEST.contains(scenario) : only.contains(scenario);
        }

        int imagesOr(int fallback) {
            return images > 0 ? images : fallback;
        }
    }

    private Bench() {}

    private static void step(PrintStream out, long start, String what) {
        out.printf(Locale.ROOT, "[bench %3d s] %s%n", (System.nanoTime() - start) / 1_000_000_000L, what);
        out.flush();
    }

    /** Parses the command line's values; null = default. */
    public static Options options(String images, String output, String only, String repeats, String models) {
        return options(images, output, only, repeats, null, models);
    }

    /**
     * @param sparkRepeats repeats of the spark scenario (default 2, the two orders of job and loop; each repeat
     *     labels 900 images at 300: the loop, the job, the job with two preparation threads; the default run
     *     must stay under 10 minutes on two cores)
     */
    public static Options options(String images, String output, String only, String repeats, String sparkRepeats,
            String models) {
        Set<String> picked = new LinkedHashSet<>();
        if (only != null && !only.isBlank()) {
            for (String s : only.split(",")) {
                String id = s.strip().toLowerCase(Locale.ROOT);
                if (!SCENARIOS.contains(id)) {
                    throw new IllegalArgumentException("--only: unknown scenario '" + s + "'; known: "
                            + String.join(",", SCENARIOS));
                }
                picked.add(id);
            }
        }
        int n = images == null ? -1 : Integer.parseInt(images.strip());
        if (images != null && n < 1) {
            throw new IllegalArgumentException("--images must be >= 1: " + images);
        }
        int r = repeats == null ? 3 : Integer.parseInt(repeats.strip());
        if (r < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1: " + repeats);
        }
        int sr = sparkRepeats == null ? 2 : Integer.parseInt(sparkRepeats.strip());
        if (sr < 1) {
            throw new IllegalArgumentException("--spark-repeats must be >= 1: " + sparkRepeats);
        }
        return new Options(n, Path.of(output == null ? "bench-output" : output).toAbsolutePath().normalize(), picked,
                r, sr, models == null ? fixtureModels() : Path.of(models).toAbsolutePath().normalize());
    }

    /** The committed fixture models next to the checkout ({@code pseudolabel.home}, else the working directory). */
    static Path fixtureModels() {
        Path home = Path.of(System.getProperty("pseudolabel.home", ".")).toAbsolutePath().normalize();
        for (Path p : List.of(home, home.getParent() == null ? home : home.getParent())) {
            Path models = p.resolve("model-udfs/fixtures/models");
            if (Files.isDirectory(models)) {
                return models;
            }
        }
        return home.resolve("model-udfs/fixtures/models");
    }

    public static int run(Options o, Config config, PrintStream out) throws IOException {
        Files.createDirectories(o.output());
        Machine machine = Machine.describe();
        out.println(machine.text());
        long start = System.nanoTime();
        List<BenchRow> rows = new ArrayList<>();
        if (o.runs("cpu")) {
            step(out, start, "cpu: non-model CPU per image, 1 thread");
            rows.addAll(new CpuScenario(o.imagesOr(24), o.repeats(), o.models()).run());
        }
        Path work = o.output().resolve("work");
        if (o.runs("overlap")) {
            step(out, start, "overlap: preprocessing behind inference, local[1], slow fixture models");
            rows.addAll(new OverlapScenario(o, config, work).run());
        }
        // spark, memory and eval share one set of small scenes: `small` unique ones plus copies up to `large`
        int sparkImages = o.imagesOr(300);
        int small = o.imagesOr(300);
        int large = 10 * small;
        Datasets.Spec spec = new Datasets.Spec(Math.min(300, small), (large + Math.min(300, small) - 1)
                / Math.min(300, small), 320, 240, 1);
        Path smallVoc = null;
        if (o.runs("spark") || o.runs("memory") || o.runs("eval")) {
            step(out, start, "scenes: " + spec.key());
            smallVoc = Datasets.voc(work.resolve("voc-320x240-1obj"), spec, 2, sparkImages, small, large);
        }
        if (o.runs("spark")) {
            step(out, start, "spark: label local[2] vs a plain loop, " + sparkImages + " images");
            SparkSession spark = BenchSpark.start("local[2]");
            try {
                rows.addAll(new SparkScenario(o, config, smallVoc, work, sparkImages).run(spark));
            } finally {
                spark.stop();
            }
        }
        if (o.runs("memory")) {
            step(out, start, "memory: child JVMs, " + small + " and " + large + " images");
            try {
                rows.addAll(new MemoryScenario(o, smallVoc, work, small, large).run());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (o.runs("eval")) {
            step(out, start, "eval: kernel, and the eval job over " + large + " label maps");
            SparkSession spark = BenchSpark.start("local[2]");
            try {
                rows.addAll(new EvalScenario(o, smallVoc, spec, work, large,
                        ImageLimits.from(config)).run(spark));
            } finally {
                spark.stop();
            }
        }
        if (o.runs("train")) {
            step(out, start, "train: distributed trainer, W=1 and W=2 on a standalone cluster (1 core per worker)");
            try {
                rows.addAll(new TrainScenario(o, config, work).run());
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("bench train: " + e.getMessage(), e);
            }
        }
        if (o.runs("scale")) {
            step(out, start, "scale: the driver at COCO train2017's size, " + o.imagesOr(ScaleDataset.COCO_IMAGES)
                    + " images (driver JVM " + ScaleScenario.DRIVER_HEAP + ", standalone cluster of 2 one-core executors)");
            try {
                rows.addAll(new ScaleScenario(o, config, work, out).run());
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("bench scale: " + e.getMessage(), e);
            }
        }
        if (o.runs("s3")) {
            step(out, start, "s3: listing and reading " + o.imagesOr(S3Scenario.DEFAULT_IMAGES)
                    + " objects on s3proxy (127.0.0.1), S3A defaults against deploy/s3a.conf");
            try {
                rows.addAll(new S3Scenario(o, config, out).run());
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("bench s3: " + e.getMessage(), e);
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        BenchReport report = new BenchReport(machine, rows, Instant.now(), seconds, o);
        String table = report.table();
        out.print(table);
        Files.writeString(o.output().resolve("bench.md"), report.markdown(), StandardCharsets.UTF_8);
        Files.writeString(o.output().resolve("bench.json"), report.json(), StandardCharsets.UTF_8);
        out.println("[bench] wrote " + o.output().resolve("bench.md") + " and bench.json in " + seconds + " s");
        return 0;
    }
}
