package io.pseudolabel.job.eval;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A label run (Parquet under {@code runs/<id>/labels}, {@code _LATEST}) scored against a VOC split, and
 * its HTML report opened in headless Chromium.
 */
public class EvalReportTest {
    private static final ImageLimits LIMITS = TestSpark.limits();

    @TempDir
    static Path dir;
    static EvalResult result;
    static Path html;
    static List<String> train;
    static final int SAMPLES = 4;

    @BeforeAll
    static void setUp() throws Exception {
        SparkSession spark = TestSpark.session();
        Path voc = dir.resolve("voc");
        VocSceneWriter.Splits splits = new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 3L)).write(voc, 6, 2);
        train = splits.train();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            String id = train.get(i);
            String uri = HadoopFiles.normalize(voc.resolve("JPEGImages/" + id + ".jpg").toString());
            if (i == train.size() - 1) {
                rows.add(RowFactory.create(id, uri, "BAD_IMAGE", id + ".jpg: truncated", null));
                continue;
            }
            ClassMap gt = PalettePng.read(Files.readAllBytes(voc.resolve("SegmentationClass/" + id + ".png")));
            rows.add(RowFactory.create(id, uri, "OK", null, PalettePng.write(shiftRight(gt, 4 * i))));
        }
        StructType schema = new StructType()
                .add("image_id", DataTypes.StringType, false).add("uri", DataTypes.StringType, false)
                .add("status", DataTypes.StringType, false).add("error", DataTypes.StringType, true)
                .add("semantic_png", DataTypes.BinaryType, true);
        Path out = dir.resolve("labels-output");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.resolve("runs/r1/labels").toString());
        Files.writeString(out.resolve("_LATEST"), "r1\n");

        result = EvalJob.run(spark, EvalJob.Spec.of(out.toString(), voc.toString(), LIMITS).withSplit("train")
                .withSamples(SAMPLES));
        html = dir.resolve("report/report.html");
        EvalReport.write(spark, result, html);
    }

    /** The map moved right by {@code dx} pixels (left edge repeated): an imperfect prediction. */
    static ClassMap shiftRight(ClassMap m, int dx) {
        byte[] ids = new byte[m.ids().length];
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                ids[y * m.width() + x] = (byte) m.get(Math.max(0, x - dx), y);
            }
        }
        return new ClassMap(m.width(), m.height(), ids);
    }

    @Test
    void labelRunAgainstVocSplit() {
        assertEquals(train.size() - 1, result.numImages());
        assertEquals(1, result.missingPrediction());
        String missing = result.missingPredictionIds().get(0);
        assertTrue(missing.startsWith(train.get(train.size() - 1)) && missing.contains("BAD_IMAGE"), missing);
        assertEquals(0, result.missingGroundTruth(), "val images are outside the split");
        assertEquals(0, result.errorCount(), result.errors().toString());
        List<String> names = new ArrayList<>(List.of("background"));
        names.addAll(ClassList.resolve(dir.resolve("voc/classes.txt").toString()));
        assertEquals(names, result.classNames(), "VOC root's classes.txt");
        // the unshifted first image is perfect, so it is not among the worst
        assertEquals(SAMPLES, result.worstImages().size());
        assertFalse(result.worstImages().stream().anyMatch(s -> s.id().equals(train.get(0))));
        System.out.printf("shifted labels: mIoU %.6f, pixel accuracy %.6f%n", result.miou(), result.pixelAccuracy());
        // exact: the predictions are the ground truth shifted right by 4 px per image (measured 0.866143 and
        // 0.966306; the check was 0.3 < mIoU < 1)
        assertEquals(0.866143, result.miou(), 1e-6, "mIoU");
        assertEquals(0.966306, result.pixelAccuracy(), 1e-6, "pixel accuracy");
        for (EvalPartial.Sample s : result.worstImages()) {
            assertTrue(s.imageUri().endsWith("JPEGImages/" + s.id() + ".jpg"), s.imageUri());
        }
    }

    @Test
    void reportIsOneSelfContainedFile() throws Exception {
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(?!data:)", Pattern.CASE_INSENSITIVE).matcher(page).find(),
                "every src/href is a data: URI");
        assertFalse(page.contains("http://") || page.contains("https://") || page.contains("@import"));
        // each sample: original, ground truth overlay, prediction overlay, error map
        assertEquals(SAMPLES * 4, count(page, "<img "));
        assertEquals(SAMPLES * 4, count(page, "src=\"data:image/"));
        assertTrue(page.contains(EvalReport.num(result.miou())));
    }

    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        String chromium = findChromium();
        if (chromium == null) {
            // a missing browser fails the suite (CI installs it, .ci/run stops when it cannot); only an explicit
            // -Dpseudolabel.test.skip-browser=true (a developer machine without one) turns the failure into a skip
            assumeTrue(!Boolean.getBoolean("pseudolabel.test.skip-browser"), "-Dpseudolabel.test.skip-browser=true:"
                    + " skipping the check that the HTML report renders");
            fail("chromium not installed (Debian: apt-get install -y chromium), so the check that the HTML report"
                    + " renders cannot run; pass -Dpseudolabel.test.skip-browser=true to skip it on this machine");
        }
        Path work = Files.createDirectories(dir.resolve("chromium"));
        String dom = runChromium(chromium, work, "--dump-dom", html.toUri().toString());

        assertTrue(dom.contains("id=\"miou\">" + EvalReport.num(result.miou()) + "<"), "mIoU shown");
        assertTrue(dom.contains("id=\"num-images\">" + result.numImages() + "<"));
        for (String name : result.classesCounted()) {
            assertTrue(dom.contains(EvalReport.esc(name)), name);
            assertTrue(dom.contains(EvalReport.num(result.perClassIou().get(name))), "IoU of " + name);
        }
        assertEquals(result.classesCounted().size(), count(dom, "class=\"class-row\""));
        for (EvalPartial.Sample s : result.worstImages()) {
            assertTrue(dom.contains("data-image-id=\"" + s.id() + "\""), s.id());
            assertTrue(dom.contains(EvalReport.num(s.miou())), "image mIoU of " + s.id());
        }
        assertEquals(SAMPLES * 4, count(dom, "src=\"data:image/"));
        // the page's load handler counts images the browser decoded
        Matcher decoded = Pattern.compile("data-decoded=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(decoded.find(), "load handler ran");
        assertEquals(SAMPLES * 4, Integer.parseInt(decoded.group(1)), "images decoded by Chromium");
        assertEquals(SAMPLES * 4, Integer.parseInt(decoded.group(2)));

        Path shot = work.resolve("shot.png");
        runChromium(chromium, work, "--screenshot=" + shot, "--window-size=1280,2400", "--hide-scrollbars",
                html.toUri().toString());
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img, "screenshot written");
        long nonWhite = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb != 0xffffff) {
                    nonWhite++;
                }
                colours.add(rgb);
            }
        }
        double share = (double) nonWhite / ((long) img.getWidth() * img.getHeight());
        assertTrue(share > 0.05, String.format(Locale.ROOT, "only %.3f of the screenshot is not white", share));
        assertTrue(colours.size() > 2000, "photos and overlays give many colours, got " + colours.size());
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    public static String findChromium() {
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String exe : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
                File f = new File(dirName, exe);
                if (f.isFile() && f.canExecute()) {
                    return f.getAbsolutePath();
                }
            }
        }
        return null;
    }

    /** Runs headless Chromium with no network, a throw-away profile, and returns what it printed. */
    public static String runChromium(String chromium, Path work, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(work, "profile")));
        cmd.addAll(List.of(args));
        Path stdout = Files.createTempFile(work, "out", ".txt");
        Path stderr = Files.createTempFile(work, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(stderr));
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(stderr));
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
