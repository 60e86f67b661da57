package io.pseudolabel.job.review;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.job.eval.EvalReportTest;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code review} on a label run of generated scenes with faint objects, its pages opened in headless Chromium. */
class ReviewJobTest {
    @TempDir
    static Path tmp;
    static Path voc;
    static Path out;
    static String labelsDir;

    @BeforeAll
    static void labelled() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 5L).withFaintObjects(0.4)).write(voc, 10, 0);
        out = tmp.resolve("labels");
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.split", "train",
                "pseudolabel.job.classes", voc.resolve("classes.txt").toString()));
        LabelJob.Summary s = LabelJob.run(TestSpark.session(), config,
                new LabelJob.Options(voc.toString(), out.toString(), "r1", false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        labelsDir = s.labelsDir();
    }

    private static ReviewJob.Options options(Path dir, int worst, int sample, String cls, String compare, Path csv,
            int pageSize) {
        return new ReviewJob.Options(out.toString(), dir.toString(), null, worst, sample, cls, compare,
                csv == null ? null : csv.toString(), pageSize, 1, ImageLimits.from(TestSpark.config(Map.of())));
    }

    private static ReviewJob.Result review(ReviewJob.Options o) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ReviewJob.Result r = ReviewJob.run(TestSpark.session(), o, new PrintStream(log, true, StandardCharsets.UTF_8));
        System.out.print(log.toString(StandardCharsets.UTF_8));
        return r;
    }

    /** (image_id, quality) of the OK rows, lowest quality first. */
    private static List<Row> byQuality() {
        return TestSpark.session().read().parquet(labelsDir).filter(col("status").equalTo("OK"))
                .select("image_id", "quality").orderBy(col("quality"), col("image_id")).collectAsList();
    }

    private static List<String> ids(String page) {
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("<figure class=\"tile\" data-image-id=\"([^\"]+)\"").matcher(page);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void worstFirstInBoundedPagesWithASampleAndACsv() throws Exception {
        Path dir = tmp.resolve("gallery");
        Path csv = tmp.resolve("worst.csv");
        ReviewJob.Result r = review(options(dir, 5, 3, null, null, csv, 2));
        assertEquals(5, r.worstShown());
        assertEquals(3, r.sampleShown());
        // 5 worst in pages of 2 -> 3 pages, 3 sampled -> 2 pages
        assertEquals(5, r.pages().size());
        List<Row> expected = byQuality();
        String index = Files.readString(dir.resolve("index.html"));
        List<String> shown = new ArrayList<>(ids(index));
        shown.addAll(ids(Files.readString(dir.resolve("worst-002.html"))));
        shown.addAll(ids(Files.readString(dir.resolve("worst-003.html"))));
        List<String> worst5 = expected.subList(0, 5).stream().map(x -> x.getString(0)).toList();
        assertEquals(worst5, shown, "the five lowest qualities, worst first");
        assertTrue(ids(Files.readString(dir.resolve("sample-001.html"))).size() == 2);
        // self-contained: every image is a data URI, no network
        assertFalse(Pattern.compile("src\\s*=\\s*\"(?!data:)").matcher(index).find());
        assertFalse(index.contains("http://") || index.contains("https://"));
        List<String> lines = Files.readAllLines(csv);
        assertEquals("image_id,uri,quality,classes", lines.get(0));
        assertEquals(6, lines.size());
        assertTrue(lines.get(1).startsWith(worst5.get(0) + ","), lines.get(1));
        // a seeded sample is the same each time
        Path again = tmp.resolve("gallery-again");
        review(options(again, 0, 3, null, null, null, 10));
        assertEquals(ids(Files.readString(dir.resolve("sample-001.html"))).subList(0, 2),
                ids(Files.readString(again.resolve("index.html"))).subList(0, 2));
    }

    @Test
    void imagesMovedElsewhereAreFoundThroughTheImagesOption() throws Exception {
        Path moved = tmp.resolve("moved-voc");
        try (Stream<Path> files = Files.walk(voc)) {
            for (Path f : files.toList()) {
                Path to = moved.resolve(voc.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Path jpegs = voc.resolve("JPEGImages");
        Path away = voc.resolve("JPEGImages.away");
        Files.move(jpegs, away); // the run's own image folder is gone, as after a move of the dataset
        try {
            Path lost = tmp.resolve("gallery-lost");
            review(options(lost, 3, 0, null, null, null, 10));
            String lostPage = Files.readString(lost.resolve("index.html"));
            assertEquals(3, Pattern.compile("image not readable").matcher(lostPage).results().count(), lostPage);

            Path found = tmp.resolve("gallery-moved");
            ReviewJob.Result r = review(new ReviewJob.Options(out.toString(), found.toString(), moved.toString(), 3,
                    0, null, null, null, 10, 1, ImageLimits.from(TestSpark.config(Map.of()))));
            assertEquals(3, r.worstShown());
            String page = Files.readString(found.resolve("index.html"));
            assertFalse(page.contains("image not readable"), page);
            assertEquals(3, Pattern.compile("src=\"data:image/jpeg").matcher(page).results().count());
        } finally {
            Files.move(away, jpegs);
        }
        // a uri outside the run's images root cannot be moved
        assertThrows(IllegalArgumentException.class,
                () -> ReviewJob.imageUri("file:/elsewhere/a.jpg", new String[] {voc.toUri().toString(), "file:/x"}));
    }

    @Test
    void classFilterShowsOnlyImagesOfThatClass() throws Exception {
        Path dir = tmp.resolve("gallery-class");
        List<Row> rows = TestSpark.session().read().parquet(labelsDir).filter(col("status").equalTo("OK"))
                .selectExpr("image_id", "instances.name as names").collectAsList();
        Row first = rows.stream().filter(x -> !x.<String>getList(1).isEmpty()).findFirst().orElseThrow();
        String cls = first.<String>getList(1).get(0);
        review(options(dir, 50, 0, cls, null, null, 50));
        List<String> shown = ids(Files.readString(dir.resolve("index.html")));
        List<String> withInstance = rows.stream().filter(x -> x.<String>getList(1).contains(cls))
                .map(x -> x.getString(0)).toList();
        assertTrue(shown.containsAll(withInstance) && shown.contains(first.getString(0)), shown + " for " + cls);
        assertTrue(shown.size() < rows.size(), "the filter left some images out: " + shown);
    }

    @Test
    void compareShowsTheImagesThatChangedMostSideBySide() throws Exception {
        // a second run whose maps differ: boundaries painted ignore
        var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.split", "train",
                "pseudolabel.job.classes", voc.resolve("classes.txt").toString(),
                "pseudolabel.grouping.ignore-boundary", "3"));
        Path other = tmp.resolve("labels-boundary");
        LabelJob.run(TestSpark.session(), config, new LabelJob.Options(voc.toString(), other.toString(), "r2", false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path dir = tmp.resolve("gallery-compare");
        ReviewJob.Result r = review(options(dir, 3, 0, null, other.toString(), null, 10));
        assertEquals(3, r.changedShown());
        String page = Files.readString(dir.resolve("changed-001.html"));
        assertEquals(3, ids(page).size());
        assertTrue(page.contains("agreement "), "agreement shown");
        // two pictures a tile: this run and the compared one
        assertEquals(6, page.split("<img ", -1).length - 1);
    }

    @Test
    void oldRunsWithoutQualityAreRefusedClearly() {
        // a table as runs wrote it before label quality: no quality column
        Path old = tmp.resolve("old-labels");
        TestSpark.session().read().parquet(labelsDir).drop("quality").write().parquet(old.toString());
        Path dir = tmp.resolve("gallery-bad");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> review(new ReviewJob.Options(old.toString(), dir.toString(), null,
                        1, 0, null, null, null, 1, 1, ImageLimits.from(TestSpark.config(Map.of())))));
        assertTrue(e.getMessage().contains("no quality column") && e.getMessage().contains(old.toString()),
                e.getMessage());
    }

    @Test
    void csvFieldsAreQuotedAsRfc4180Says() {
        assertEquals("plain", ReviewJob.field("plain"));
        assertEquals("\"a,b\"", ReviewJob.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", ReviewJob.field("say \"hi\""));
        assertEquals("\"two\nlines\"", ReviewJob.field("two\nlines"));
    }

    @Test
    void galleryRendersInHeadlessChromiumWorstFirst() throws Exception {
        String chromium = EvalReportTest.findChromium();
        assumeTrue(chromium != null, "chromium not installed; skipping the check that the gallery renders");
        Path dir = tmp.resolve("gallery-chromium");
        review(options(dir, 6, 0, null, null, null, 6));
        Path work = Files.createDirectories(tmp.resolve("chromium"));
        String dom = EvalReportTest.runChromium(chromium, work, "--dump-dom", dir.resolve("index.html").toUri()
                .toString());
        List<String> shown = ids(dom);
        assertEquals(6, shown.size());
        assertEquals(byQuality().get(0).getString(0), shown.get(0), "the worst image comes first");
        Matcher decoded = Pattern.compile("data-decoded=\"(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(decoded.find(), "load handler ran");
        assertEquals(6, Integer.parseInt(decoded.group(1)), "overlay tiles decoded by Chromium");
        assertEquals(6, Integer.parseInt(decoded.group(2)));
        assertTrue(dom.contains("<rect"), "boxes drawn");

        Path shot = work.resolve("shot.png");
        EvalReportTest.runChromium(chromium, work, "--screenshot=" + shot, "--window-size=1200,1600",
                "--hide-scrollbars", dir.resolve("index.html").toUri().toString());
        BufferedImage img = ImageIO.read(shot.toFile());
        long nonWhite = 0;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                nonWhite += rgb != 0xffffff ? 1 : 0;
                colours.add(rgb);
            }
        }
        assertTrue(nonWhite > 0.05 * img.getWidth() * img.getHeight(), "the page is not blank");
        assertTrue(colours.size() > 500, "photos and overlays give many colours: " + colours.size());
    }

    @Test
    void labelsDirResolvesFromTheOutputRoot() {
        assertEquals(labelsDir, Runs.resolveLabels(out.toString(),
                TestSpark.session().sparkContext().hadoopConfiguration()));
    }
}
