package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.S3TestServer;
import io.pseudolabel.job.common.JobSettings;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.job.label.LabelJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.jclouds.blobstore.BlobStore;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Issue 19, item 3: S3 at scale. N small JPEGs (default 20,000) are put straight into s3proxy on 127.0.0.1
 * ({@link S3TestServer}, jclouds' in-memory store; setup, not measured), then measured through the product's
 * own code: the driver's listing as {@code label} lists a folder dataset ({@link DatasetLister}, what
 * {@link LabelJob#listing} calls; objects/s), and the executors reading every image's bytes the way a label
 * task does ({@link HadoopFiles#read(String, long, Configuration)} inside a Spark job in {@code local[2]},
 * partitioned like {@code label}; objects/s and MB/s). Each S3A variant runs in the same process against the
 * same objects, with a fresh S3A client ({@link FileSystem#closeAll()} between variants), and S3A's own
 * request counters (LIST, HEAD, GET) are read from the client the tasks used. The tuned variant is the
 * {@code spark.hadoop.fs.s3a.*} lines of {@code deploy/s3a.conf}, read from the file itself.
 */
final class S3Scenario {
    static final String ID = "s3";
    static final int DEFAULT_IMAGES = 20_000;
    static final String BUCKET = "bench";
    static final String PREFIX = "coco/train2017";
    static final int JPEG_VARIANTS = 32;
    static final int WIDTH = 320;
    static final int HEIGHT = 240;
    /** Listing repeats (the median is reported): a listing of 20,000 objects takes about a second. */
    static final int LIST_REPEATS = 3;
    /**
     * LIST requests of a folder listing that are not pages: {@code exists} and {@code getFileStatus} of the
     * root (a directory on S3 is a prefix: each asks HEAD, then LIST of up to 2 keys).
     */
    static final int ROOT_PROBES = 2;
    /** Objects read before anything is measured (JIT, the S3 SDK's classes, Spark's task path). */
    static final int WARM_UP = 4_000;
    /** Objects read by each setting alone, all in one round after the full reads. */
    static final int SAMPLE = 4_000;
    static final String KNOWN_LENGTH = "openFile with the listed length, whole-file (not label's path)";

    /** One S3A configuration, applied on top of the store's connection settings. */
    record Variant(String name, Map<String, String> settings) {}

    /** One measured pass: objects, bytes, seconds, and S3A's request counts during it. */
    record Pass(long objects, long bytes, double seconds, long lists, long heads, long gets, long jpegs) {
        /** Both passes as one ({@code a} may be null). */
        static Pass plus(Pass a, Pass b) {
            return a == null ? b : new Pass(a.objects + b.objects, a.bytes + b.bytes, a.seconds + b.seconds,
                    a.lists + b.lists, a.heads + b.heads, a.gets + b.gets, a.jpegs + b.jpegs);
        }

        double objectsPerSecond() {
            return objects / seconds;
        }

        double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }

        String requests() {
            return String.format(Locale.ROOT, "%d LIST, %d HEAD, %d GET (%.2f HEAD + %.2f GET per object)", lists,
                    heads, gets, heads / (double) objects, gets / (double) objects);
        }
    }

    private final Bench.Options options;
    private final Config config;
    private final PrintStream log;

    S3Scenario(Bench.Options options, Config config, PrintStream log) {
        this.options = options;
        this.config = config;
        this.log = log;
    }

    /** The listing variants: the page size asked of the store. */
    static List<Variant> listingVariants() {
        return List.of(new Variant("S3A defaults (paging.maximum 5000)", Map.of()),
                new Variant("paging.maximum 1000", Map.of("fs.s3a.paging.maximum", "1000")),
                new Variant("paging.maximum 250", Map.of("fs.s3a.paging.maximum", "250")));
    }

    /** The read variants, each against the defaults; the last is deploy/s3a.conf. */
    static List<Variant> readVariants(Map<String, String> tuned) {
        List<Variant> v = new ArrayList<>();
        v.add(new Variant("S3A defaults (fadvise default, readahead 64K, pool 500/96)", Map.of()));
        v.add(new Variant("fadvise whole-file", Map.of("fs.s3a.experimental.input.fadvise", "whole-file")));
        v.add(new Variant("fadvise random", Map.of("fs.s3a.experimental.input.fadvise", "random")));
        v.add(new Variant("readahead.range 1M", Map.of("fs.s3a.readahead.range", "1048576")));
        v.add(new Variant("prefetch.enabled true", Map.of("fs.s3a.prefetch.enabled", "true")));
        v.add(new Variant("connection.maximum 4, threads.max 4", Map.of("fs.s3a.connection.maximum", "4",
                "fs.s3a.threads.max", "4")));
        v.add(new Variant("tuned: deploy/s3a.conf", tuned));
        return v;
    }

    List<BenchRow> run() throws Exception {
        int n = options.imagesOr(DEFAULT_IMAGES);
        Map<String, String> tuned = tunedSettings(deployConf());
        List<BenchRow> rows = new ArrayList<>();
        try (S3TestServer server = S3TestServer.start()) {
            server.createBucket(BUCKET);
            long t0 = System.nanoTime();
            long uploaded = upload(server.store(), n);
            double setup = (System.nanoTime() - t0) / 1e9;
            step(String.format(Locale.ROOT, "%d objects (%s, mean %.1f KB) put into s3proxy at %s in %.1f s", n,
                    ScaleScenario.mb(uploaded), uploaded / 1024.0 / n, server.endpoint(), setup));
            String root = "s3a://" + BUCKET + "/" + PREFIX;
            SparkSession spark = BenchSpark.start("local[2]");
            try {
                Configuration base = new Configuration(spark.sparkContext().hadoopConfiguration());
                server.applyTo(base, BUCKET);
                // listing, after one listing that is not measured (class loading, JIT, the S3 SDK's first client)
                FileSystem.closeAll();
                List<ImageRef> refs = DatasetLister.list(Layout.FOLDER, root, "train", null, false, false, base);
                for (Variant v : listingVariants()) {
                    Configuration conf = with(base, v.settings());
                    Pass[] passes = new Pass[LIST_REPEATS];
                    for (int r = 0; r < LIST_REPEATS; r++) {
                        FileSystem.closeAll();
                        FileSystem fs = FileSystem.get(URI.create(root), conf);
                        long[] c0 = counters(fs);
                        long s = System.nanoTime();
                        refs = DatasetLister.list(Layout.FOLDER, root, "train", null, false, false, conf);
                        double sec = (System.nanoTime() - s) / 1e9;
                        long[] c1 = counters(fs);
                        passes[r] = new Pass(refs.size(), 0, sec, c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2], 0);
                        if (refs.size() != n) {
                            throw new IllegalStateException("bench s3: listed " + refs.size() + " objects under " + root
                                    + ", put " + n);
                        }
                    }
                    Arrays.sort(passes, (a, b) -> Double.compare(a.seconds(), b.seconds()));
                    Pass p = passes[LIST_REPEATS / 2];
                    rows.add(BenchRow.info(ID, "list " + n + " objects (driver, label's folder listing), " + v.name(),
                            p.objectsPerSecond(), "objects/s", String.format(Locale.ROOT, "DatasetLister over %s, "
                                    + "median of %d (%.0f ms); %d LIST requests (%d of them the root's exists/status "
                                    + "probes), %d HEAD; %.0f objects per page; extrapolated to %d objects: %.1f s",
                                    root, LIST_REPEATS, p.seconds() * 1000, p.lists(), ROOT_PROBES, p.heads(),
                                    p.lists() > ROOT_PROBES ? (double) n / (p.lists() - ROOT_PROBES) : Double.NaN,
                                    ScaleDataset.COCO_IMAGES, ScaleDataset.COCO_IMAGES / p.objectsPerSecond())));
                    step(String.format(Locale.ROOT, "list, %s: %.0f objects/s, %d LIST requests, %d HEAD", v.name(),
                            p.objectsPerSecond(), p.lists(), p.heads()));
                }
                // reading
                List<String> uris = refs.stream().map(ImageRef::uri).toList();
                List<String> sized = refs.stream().map(r -> r.size() + "|" + r.uri()).toList();
                long maxBytes = ImageLimits.from(config).maxFileBytes();
                int partitions = LabelJob.partitions(JobSettings.from(config), n, spark.sparkContext()
                        .defaultParallelism());
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                // warm-up (JIT, Spark's task path, the S3A client classes): not reported
                read(jsc, with(base, Map.of()), root, uris.subList(0, Math.min(WARM_UP, Math.max(1, n / 5))),
                        partitions, maxBytes, false);
                // every object, S3A's defaults against deploy/s3a.conf; with two rounds in the order
                // defaults, tuned, tuned, defaults (so neither gains from running later on a warmer JVM)
                int rounds = rounds();
                List<Variant> variants = readVariants(tuned);
                Variant defaultsVariant = variants.get(0);
                Variant tunedVariant = variants.get(variants.size() - 1);
                Pass defaults = null;
                Pass best = null;
                for (int r = 0; r < rounds; r++) {
                    for (Variant v : r % 2 == 0 ? List.of(defaultsVariant, tunedVariant)
                            : List.of(tunedVariant, defaultsVariant)) {
                        Pass p = read(jsc, with(base, v.settings()), root, uris, partitions, maxBytes, false);
                        check(p, uris.size(), uploaded, v);
                        stepRead(v.name() + ", all, round " + (r + 1), p);
                        if (v == defaultsVariant) {
                            defaults = Pass.plus(defaults, p);
                        } else {
                            best = Pass.plus(best, p);
                        }
                    }
                }
                rows.add(readRow(fullRead(n, defaultsVariant.name()), defaults, partitions, rounds,
                        defaultsVariant.settings()));
                rows.add(readRow(fullRead(n, tunedVariant.name()), best, partitions, rounds, tunedVariant.settings()));
                rows.add(BenchRow.info(ID, "  read MB/s, S3A defaults", defaults.mbPerSecond(), "MB/s",
                        mbNote(defaults, uploaded, n)));
                rows.add(BenchRow.info(ID, "  read MB/s, tuned (deploy/s3a.conf)", best.mbPerSecond(), "MB/s",
                        mbNote(best, uploaded, n)));
                // each setting alone on the first k objects, then openFile with the listed length; with two
                // rounds, the second in reverse order
                int k = sampleSize(n);
                long sampleBytes = refs.subList(0, k).stream().mapToLong(ImageRef::size).sum();
                int samplePartitions = LabelJob.partitions(JobSettings.from(config), k, spark.sparkContext()
                        .defaultParallelism());
                Variant known = new Variant(KNOWN_LENGTH, tuned);
                List<Variant> sample = new ArrayList<>(variants);
                sample.add(known);
                Pass[] sums = new Pass[sample.size()];
                for (int r = 0; r < rounds; r++) {
                    for (int j = 0; j < sample.size(); j++) {
                        int i = r % 2 == 0 ? j : sample.size() - 1 - j;
                        Variant v = sample.get(i);
                        boolean knownLength = v == known;
                        Pass p = read(jsc, with(base, v.settings()), root, (knownLength ? sized : uris).subList(0, k),
                                samplePartitions, maxBytes, knownLength);
                        check(p, k, sampleBytes, v);
                        stepRead(v.name() + ", " + k + " objects, round " + (r + 1), p);
                        sums[i] = Pass.plus(sums[i], p);
                    }
                }
                for (int i = 0; i < sample.size(); i++) {
                    rows.add(readRow(sampleRead(k, sample.get(i).name()), sums[i], samplePartitions, rounds,
                            sample.get(i) == known ? Map.of() : sample.get(i).settings()));
                }
            } finally {
                spark.stop();
                SparkSession.clearActiveSession();
                SparkSession.clearDefaultSession();
                FileSystem.closeAll();
            }
        }
        return rows;
    }

    private void stepRead(String name, Pass p) {
        step(String.format(Locale.ROOT, "read, %s: %.0f objects/s, %.1f MB/s, %s", name, p.objectsPerSecond(),
                p.mbPerSecond(), p.requests()));
    }

    /** Objects each setting reads alone: a fifth of N, at most {@value #SAMPLE}. */
    static int sampleSize(int n) {
        return Math.min(SAMPLE, Math.max(1, n / 5));
    }

    static String fullRead(int n, String name) {
        return "read " + n + " objects (local[2] tasks, as label reads), " + name;
    }

    static String sampleRead(int k, String name) {
        return "  read " + k + " objects, " + name;
    }

    private static BenchRow readRow(String metric, Pass p, int partitions, int rounds, Map<String, String> settings) {
        return BenchRow.info(ID, metric, p.objectsPerSecond(),
                "objects/s", String.format(Locale.ROOT, "%.1f MB/s, %.1f s in %d round%s; %s; %d partitions as label "
                        + "makes them; extrapolated to %d objects on 2 cores: %.0f s%s", p.mbPerSecond(), p.seconds(),
                        rounds, rounds > 1 ? "s" : "", p.requests(), partitions, ScaleDataset.COCO_IMAGES,
                        ScaleDataset.COCO_IMAGES / p.objectsPerSecond(),
                        settings.isEmpty() ? "" : "; " + settings));
    }

    private static String mbNote(Pass p, long uploaded, int n) {
        return String.format(Locale.ROOT, "%s in %.1f s; objects of %.1f KB on average, so the rate is set by "
                + "requests per object, not bandwidth", ScaleScenario.mb(p.bytes()), p.seconds(),
                uploaded / 1024.0 / n);
    }

    /** Two rounds of reads (the second in reverse order) unless {@code --repeats 1}. */
    private int rounds() {
        return options.repeats() >= 2 ? 2 : 1;
    }

    private static void check(Pass p, int n, long uploaded, Variant v) {
        if (p.objects() != n || p.bytes() != uploaded || p.jpegs() != n) {
            throw new IllegalStateException("bench s3, " + v.name() + ": read " + p.objects() + " objects, "
                    + p.bytes() + " bytes, " + p.jpegs() + " JPEG headers; put " + n + " objects, " + uploaded
                    + " bytes");
        }
    }

    /** One read of every uri by Spark tasks; the S3A client is fresh and built from {@code conf}. */
    private static Pass read(JavaSparkContext jsc, Configuration conf, String root, List<String> uris,
            int partitions, long maxBytes, boolean knownLength) throws IOException {
        FileSystem.closeAll();
        // the client the tasks will find in the (per JVM) FileSystem cache: local[2] runs them in this JVM
        FileSystem fs = FileSystem.get(URI.create(root), conf);
        long[] c0 = counters(fs);
        Broadcast<SerializableConfiguration> confBc = jsc.broadcast(new SerializableConfiguration(conf));
        long s = System.nanoTime();
        long[] sum = jsc.parallelize(uris, Math.min(partitions, uris.size()))
                .mapPartitions(new ReadPartition(confBc, maxBytes, knownLength))
                .reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
        double sec = (System.nanoTime() - s) / 1e9;
        long[] c1 = counters(fs);
        confBc.destroy();
        return new Pass(sum[0], sum[1], sec, c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2], sum[2]);
    }

    /** Reads each image's bytes as a label task does; returns {objects, bytes, JPEG headers seen}. */
    static final class ReadPartition implements FlatMapFunction<Iterator<String>, long[]> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<SerializableConfiguration> conf;
        private final long maxBytes;
        private final boolean knownLength;

        ReadPartition(Broadcast<SerializableConfiguration> conf, long maxBytes, boolean knownLength) {
            this.conf = conf;
            this.maxBytes = maxBytes;
            this.knownLength = knownLength;
        }

        @Override
        public Iterator<long[]> call(Iterator<String> it) throws Exception {
            Configuration c = conf.value().value();
            long objects = 0;
            long bytes = 0;
            long jpegs = 0;
            while (it.hasNext()) {
                String item = it.next();
                byte[] data = knownLength ? readKnownLength(item, c) : HadoopFiles.read(item, maxBytes, c);
                objects++;
                bytes += data.length;
                if (data.length > 2 && (data[0] & 0xff) == 0xFF && (data[1] & 0xff) == 0xD8) {
                    jpegs++;
                }
            }
            return List.of(new long[] {objects, bytes, jpegs}).iterator();
        }

        /** {@code length|uri}: one GET, no HEAD (S3A trusts the length given to openFile). */
        private static byte[] readKnownLength(String item, Configuration c) throws Exception {
            int bar = item.indexOf('|');
            long len = Long.parseLong(item.substring(0, bar));
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(item.substring(bar + 1));
            byte[] data = new byte[(int) len];
            try (FSDataInputStream in = p.getFileSystem(c).openFile(p)
                    .opt("fs.option.openfile.length", Long.toString(len))
                    .opt("fs.option.openfile.read.policy", "whole-file").build().get()) {
                in.readFully(0, data);
            }
            return data;
        }
    }

    /** {LIST, HEAD, GET} requests S3A has made so far on this client. */
    static long[] counters(FileSystem fs) {
        if (!(fs instanceof IOStatisticsSource src) || src.getIOStatistics() == null) {
            return new long[3];
        }
        IOStatistics s = src.getIOStatistics();
        Map<String, Long> c = s.counters();
        // a listing's first page is an object_list_request, every further page an object_continue_list_request
        return new long[] {c.getOrDefault("object_list_request", 0L) + c.getOrDefault("object_continue_list_request",
                0L), c.getOrDefault("object_metadata_request", 0L), c.getOrDefault("action_http_get_request", 0L)};
    }

    private static Configuration with(Configuration base, Map<String, String> settings) {
        Configuration c = new Configuration(base);
        settings.forEach(c::set);
        return c;
    }

    /** Puts N objects {@code PREFIX/<12 digits>.jpg}, each one of {@value #JPEG_VARIANTS} JPEGs; returns bytes. */
    static long upload(BlobStore store, int n) throws IOException {
        byte[][] jpegs = jpegs();
        long bytes = 0;
        for (int i = 1; i <= n; i++) {
            byte[] b = jpegs[i % JPEG_VARIANTS];
            store.putBlob(BUCKET, store.blobBuilder(String.format(Locale.ROOT, "%s/%012d.jpg", PREFIX, i)).payload(b)
                    .contentLength(b.length).contentType("image/jpeg").build());
            bytes += b.length;
        }
        return bytes;
    }

    /** Small scenes, 320x240, rectangles over a noisy background: JPEGs of a few tens of KB. */
    static byte[][] jpegs() throws IOException {
        SplittableRandom rnd = new SplittableRandom(19L);
        byte[][] out = new byte[JPEG_VARIANTS][];
        for (int v = 0; v < JPEG_VARIANTS; v++) {
            BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    int g = 80 + (x + y) / 8 + rnd.nextInt(24);
                    img.setRGB(x, y, (g << 16) | (g << 8) | g);
                }
            }
            Graphics2D g = img.createGraphics();
            for (int k = 0; k < 6; k++) {
                g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)));
                g.fillRect(rnd.nextInt(WIDTH - 40), rnd.nextInt(HEIGHT - 30), 20 + rnd.nextInt(WIDTH / 3),
                        15 + rnd.nextInt(HEIGHT / 3));
            }
            g.dispose();
            out[v] = ScaleDataset.jpeg(img);
        }
        return out;
    }

    /** {@code deploy/s3a.conf} next to the checkout ({@code pseudolabel.home}, else the working directory). */
    static Path deployConf() throws IOException {
        Path home = Path.of(System.getProperty("pseudolabel.home", ".")).toAbsolutePath().normalize();
        for (Path p : List.of(home, home.getParent() == null ? home : home.getParent())) {
            Path f = p.resolve("deploy/s3a.conf");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IOException("bench s3: deploy/s3a.conf not found under " + home + " or its parent");
    }

    /** The {@code spark.hadoop.fs.s3a.*} settings of a properties file, as Hadoop keys; comments skipped. */
    static Map<String, String> tunedSettings(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || !l.startsWith("spark.hadoop.fs.s3a.")) {
                continue;
            }
            String[] kv = l.split("\\s+", 2);
            if (kv.length != 2) {
                throw new IOException(file + ": no value in '" + line + "'");
            }
            m.put(kv[0].substring("spark.hadoop.".length()), kv[1].strip());
        }
        return m;
    }

    private void step(String what) {
        log.println("[bench s3] " + what);
        log.flush();
    }
}
