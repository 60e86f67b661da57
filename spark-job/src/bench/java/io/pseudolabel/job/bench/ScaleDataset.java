package io.pseudolabel.job.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.scenes.FixtureWorld;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A dataset with COCO train2017's shape for the {@code scale} scenario, on local disk: N tiny JPEGs (32x24,
 * {@code train2017/%012d.jpg}) and {@code annotations/instances_train2017.json} with train2017's counts scaled
 * to N: 860,001 annotations over 118,287 images, 1,021 of them without any, the rest with 1 + a geometric
 * number (train2017's mean of 7.33 per annotated image, at most 93), 1.05% crowd regions as uncompressed RLE,
 * the others polygons of about 34 vertices (so the file is ~450 MB at full N, like the real 448 MB), and the
 * image entries' real fields (license, URLs, dates). Categories are the fixture world's classes (the
 * fixture models know them) under COCO-style sparse ids. {@code annotations/instances_new.json} holds the
 * newest {@link #newImages} images alone (the "1% new" night's images). Written once per (N, seed) and
 * reused: a marker file records what is there.
 */
final class ScaleDataset {
    static final long SEED = 2017L;
    static final int COCO_IMAGES = 118_287;
    static final long COCO_ANNOTATIONS = 860_001;
    static final int COCO_EMPTY = 1_021;
    static final int MAX_PER_IMAGE = 93;
    static final double CROWD_FRACTION = 0.0105;
    static final int WIDTH = 32;
    static final int HEIGHT = 24;
    /** Distinct JPEGs; image i is variant i % VARIANTS (each a file of its own). */
    static final int VARIANTS = 64;
    static final String VERSION = "v1";

    /** What was written. */
    record Layout(Path root, Path images, Path json, Path newJson, Path classes, int imageCount, long annotations,
            long crowd, long jsonBytes, int newImages, List<String> classNames) {
        /** Image ids 1..N; the last {@code newImages} are the new ones. */
        boolean isNew(long imageId) {
            return imageId > imageCount - newImages;
        }
    }

    private ScaleDataset() {}

    /** The images of a "1% new" night: 1% of N, at least 1. */
    static int newImages(int n) {
        return Math.max(1, (int) Math.round(n / 100.0));
    }

    static String fileName(long id) {
        return String.format(Locale.ROOT, "%012d.jpg", id);
    }

    static Layout ensure(Path root, int n) throws IOException {
        Path marker = root.resolve("SCALE_DATASET.json");
        String key = "n=" + n + " seed=" + SEED + " " + VERSION;
        List<String> classes = FixtureWorld.load().classNames();
        Layout layout = new Layout(root, root.resolve("train2017"), root.resolve("annotations/instances_train2017.json"),
                root.resolve("annotations/instances_new.json"), root.resolve("classes.txt"), n, 0, 0, 0, newImages(n),
                classes);
        if (Files.isRegularFile(marker)) {
            JsonObject m = JsonParser.parseString(Files.readString(marker)).getAsJsonObject();
            if (m.get("key").getAsString().equals(key) && Files.isRegularFile(layout.json())) {
                return new Layout(layout.root(), layout.images(), layout.json(), layout.newJson(), layout.classes(), n,
                        m.get("annotations").getAsLong(), m.get("crowd").getAsLong(), Files.size(layout.json()),
                        layout.newImages(), classes);
            }
        }
        Datasets.deleteTree(root);
        Files.createDirectories(layout.images());
        Files.createDirectories(layout.json().getParent());
        Files.writeString(layout.classes(), String.join("\n", classes) + "\n", StandardCharsets.UTF_8);
        writeImages(layout.images(), n, classes.size());
        long[] counts = write(layout, classes);
        Layout done = new Layout(layout.root(), layout.images(), layout.json(), layout.newJson(), layout.classes(), n,
                counts[0], counts[1], Files.size(layout.json()), layout.newImages(), classes);
        Files.writeString(marker, String.format(Locale.ROOT, "{\"key\": \"%s\", \"annotations\": %d, \"crowd\": %d}%n",
                key, done.annotations(), done.crowd()), StandardCharsets.UTF_8);
        return done;
    }

    /** Annotations per image: train2017's empty share and mean, the total scaled exactly to N. */
    static int[] annotationsPerImage(int n, SplittableRandom rnd) {
        long total = Math.round((double) COCO_ANNOTATIONS * n / COCO_IMAGES);
        double emptyShare = (double) COCO_EMPTY / COCO_IMAGES;
        // geometric number beyond the first: mean (1-p)/p = mean per annotated image - 1
        double mean = (double) COCO_ANNOTATIONS / (COCO_IMAGES - COCO_EMPTY) - 1;
        double p = 1 / (mean + 1);
        int[] k = new int[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < emptyShare) {
                continue;
            }
            int extra = (int) Math.floor(Math.log(1 - rnd.nextDouble()) / Math.log(1 - p));
            k[i] = Math.min(MAX_PER_IMAGE, 1 + extra);
            sum += k[i];
        }
        // exact total: add to or take from random annotated images within 1..MAX
        while (sum != total && n > 0) {
            int i = rnd.nextInt(n);
            if (sum < total && k[i] > 0 && k[i] < MAX_PER_IMAGE) {
                k[i]++;
                sum++;
            } else if (sum > total && k[i] > 1) {
                k[i]--;
                sum--;
            } else if (sum < total && total - sum > 0 && allFull(k)) {
                break;
            }
        }
        return k;
    }

    private static boolean allFull(int[] k) {
        for (int v : k) {
            if (v > 0 && v < MAX_PER_IMAGE) {
                return false;
            }
        }
        return true;
    }

    private static void writeImages(Path dir, int n, int classes) throws IOException {
        byte[][] variants = new byte[VARIANTS][];
        FixtureWorld world = FixtureWorld.load();
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        for (int v = 0; v < VARIANTS; v++) {
            BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            int grey = 90 + rnd.nextInt(80);
            g.setColor(new Color(grey, grey, grey));
            g.fillRect(0, 0, WIDTH, HEIGHT);
            FixtureWorld.ClassDef c = world.classOf(1 + v % classes);
            g.setColor(new Color(c.r(), c.g(), c.b()));
            int x = rnd.nextInt(WIDTH / 2);
            int y = rnd.nextInt(HEIGHT / 2);
            g.fillRect(x, y, 6 + rnd.nextInt(WIDTH / 2), 5 + rnd.nextInt(HEIGHT / 2));
            g.dispose();
            variants[v] = jpeg(img);
        }
        for (int i = 1; i <= n; i++) {
            Files.write(dir.resolve(fileName(i)), variants[i % VARIANTS]);
        }
    }

    /** {@code img} as a JPEG of quality 0.9 (the JDK's writer). */
    static byte[] jpeg(BufferedImage img) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.9f);
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    /** Writes both JSON files; returns {annotations, crowd}. */
    private static long[] write(Layout layout, List<String> classes) throws IOException {
        SplittableRandom rnd = new SplittableRandom(SEED);
        int n = layout.imageCount();
        int[] perImage = annotationsPerImage(n, rnd);
        long annotations = 0;
        long crowd = 0;
        try (Json all = new Json(layout.json()); Json fresh = new Json(layout.newJson())) {
            for (Json j : List.of(all, fresh)) {
                j.raw("{\"info\":{\"description\":\"pseudolabel bench: COCO train2017's shape, generated\",\"url\":"
                        + "\"http://cocodataset.org\",\"version\":\"1.0\",\"year\":2017,\"contributor\":\"COCO "
                        + "Consortium\",\"date_created\":\"2017/09/01\"},\"licenses\":[");
                for (int l = 1; l <= 8; l++) {
                    j.raw((l > 1 ? "," : "") + "{\"url\":\"http://creativecommons.org/licenses/by-nc-sa/2.0/\",\"id\":"
                            + l + ",\"name\":\"Attribution-NonCommercial-ShareAlike License\"}");
                }
                j.raw("],\"images\":[");
            }
            boolean firstFresh = true;
            for (int i = 1; i <= n; i++) {
                String entry = imageEntry(i, rnd);
                all.raw(i > 1 ? "," : "").raw(entry);
                if (layout.isNew(i)) {
                    fresh.raw(firstFresh ? "" : ",").raw(entry);
                    firstFresh = false;
                }
            }
            all.raw("],\"annotations\":[");
            fresh.raw("],\"annotations\":[");
            long id = 0;
            firstFresh = true;
            for (int i = 1; i <= n; i++) {
                for (int a = 0; a < perImage[i - 1]; a++) {
                    id++;
                    boolean isCrowd = rnd.nextDouble() < CROWD_FRACTION;
                    int category = 1 + rnd.nextInt(classes.size());
                    byte[] ann = annotation(id, i, categoryId(category), isCrowd, rnd);
                    all.raw(id > 1 ? "," : "").bytes(ann);
                    if (layout.isNew(i)) {
                        fresh.raw(firstFresh ? "" : ",").bytes(ann);
                        firstFresh = false;
                    }
                    annotations++;
                    crowd += isCrowd ? 1 : 0;
                }
            }
            for (Json j : List.of(all, fresh)) {
                j.raw("],\"categories\":[");
                for (int c = 1; c <= classes.size(); c++) {
                    j.raw((c > 1 ? "," : "") + "{\"supercategory\":\"fixture\",\"id\":" + categoryId(c) + ",\"name\":\""
                            + classes.get(c - 1) + "\"}");
                }
                j.raw("]}");
            }
        }
        return new long[] {annotations, crowd};
    }

    /** COCO's ids are sparse (1..90 for 80 classes); ours skip every third. */
    static int categoryId(int classIndex) {
        return classIndex + (classIndex - 1) / 2;
    }

    private static String imageEntry(int id, SplittableRandom rnd) {
        int flickr = 1000 + rnd.nextInt(8000);
        return String.format(Locale.ROOT, "{\"license\":%d,\"file_name\":\"%s\",\"coco_url\":"
                + "\"http://images.cocodataset.org/train2017/%s\",\"height\":%d,\"width\":%d,\"date_captured\":"
                + "\"2013-11-%02d %02d:%02d:%02d\",\"flickr_url\":\"http://farm%d.staticflickr.com/%d/%d_%08x_z.jpg\","
                + "\"id\":%d}", 1 + rnd.nextInt(8), fileName(id), fileName(id), HEIGHT, WIDTH, 1 + rnd.nextInt(28),
                rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60), 1 + rnd.nextInt(9), flickr,
                1_000_000_000L + rnd.nextInt(1_000_000_000), rnd.nextInt(), id);
    }

    /** One annotation: a polygon (or, for a crowd, an uncompressed RLE) inside the 32x24 frame. */
    private static byte[] annotation(long id, int imageId, int category, boolean crowd, SplittableRandom rnd) {
        Ascii s = new Ascii(700);
        double cx = 2 + rnd.nextDouble() * (WIDTH - 4);
        double cy = 2 + rnd.nextDouble() * (HEIGHT - 4);
        double radius = 1.5 + rnd.nextDouble() * 9;
        double x1 = WIDTH, y1 = HEIGHT, x2 = 0, y2 = 0;
        double area;
        s.raw("{\"segmentation\":");
        if (crowd) {
            int bx1 = (int) Math.max(0, cx - radius), by1 = (int) Math.max(0, cy - radius);
            int bx2 = (int) Math.min(WIDTH, cx + radius + 1), by2 = (int) Math.min(HEIGHT, cy + radius + 1);
            s.raw("{\"counts\":[");
            // column-major runs of the rectangle bx1..bx2 x by1..by2, alternating 0s and 1s from 0s
            List<Integer> runs = new ArrayList<>();
            int zeros = bx1 * HEIGHT + by1;
            for (int x = bx1; x < bx2; x++) {
                runs.add(zeros);
                runs.add(by2 - by1);
                zeros = HEIGHT - (by2 - by1);
            }
            runs.add(HEIGHT - by2 + (WIDTH - bx2) * HEIGHT);
            for (int r = 0; r < runs.size(); r++) {
                s.raw(r > 0 ? "," : "").integer(runs.get(r));
            }
            s.raw("],\"size\":[").integer(HEIGHT).raw(",").integer(WIDTH).raw("]}");
            x1 = bx1;
            y1 = by1;
            x2 = bx2;
            y2 = by2;
            area = (double) (bx2 - bx1) * (by2 - by1);
        } else {
            // 3 + geometric(mean 31) vertices, star-shaped around the centre: about 450 MB at 118,287 images
            int points = 3 + Math.min(200, (int) Math.floor(Math.log(1 - rnd.nextDouble()) / Math.log(1 - 1 / 32.0)));
            double[] xy = new double[2 * points];
            for (int k = 0; k < points; k++) {
                double angle = 2 * Math.PI * (k + rnd.nextDouble() * 0.8) / points;
                double r = radius * (0.6 + 0.4 * rnd.nextDouble());
                xy[2 * k] = clamp(cx + r * Math.cos(angle), WIDTH);
                xy[2 * k + 1] = clamp(cy + r * Math.sin(angle), HEIGHT);
                x1 = Math.min(x1, xy[2 * k]);
                x2 = Math.max(x2, xy[2 * k]);
                y1 = Math.min(y1, xy[2 * k + 1]);
                y2 = Math.max(y2, xy[2 * k + 1]);
            }
            double twice = 0;
            for (int k = 0; k < points; k++) {
                int m = (k + 1) % points;
                twice += xy[2 * k] * xy[2 * m + 1] - xy[2 * m] * xy[2 * k + 1];
            }
            area = Math.abs(twice) / 2;
            s.raw("[[");
            for (int k = 0; k < xy.length; k++) {
                s.raw(k > 0 ? "," : "").hundredths(xy[k]);
            }
            s.raw("]]");
        }
        s.raw(",\"area\":").hundredths(area).raw(",\"iscrowd\":").integer(crowd ? 1 : 0).raw(",\"image_id\":")
                .integer(imageId).raw(",\"bbox\":[").hundredths(x1).raw(",").hundredths(y1).raw(",")
                .hundredths(x2 - x1).raw(",").hundredths(y2 - y1).raw("],\"category_id\":").integer(category)
                .raw(",\"id\":").integer(id).raw("}");
        return s.toBytes();
    }

    private static double clamp(double v, double max) {
        return Math.max(0, Math.min(max, v));
    }

    /** ASCII text built without String.format (60 million numbers at full N). */
    private static final class Ascii {
        private byte[] buf;
        private int len;

        Ascii(int capacity) {
            buf = new byte[capacity];
        }

        Ascii raw(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[len++] = (byte) s.charAt(i);
            }
            return this;
        }

        Ascii integer(long v) {
            return raw(Long.toString(v));
        }

        /** v with two decimals, as COCO writes coordinates. */
        Ascii hundredths(double v) {
            long c = Math.round(v * 100);
            integer(c / 100);
            long f = c % 100;
            ensure(3);
            buf[len++] = '.';
            buf[len++] = (byte) ('0' + f / 10);
            buf[len++] = (byte) ('0' + f % 10);
            return this;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        byte[] toBytes() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** A JSON file written as raw ASCII through a large buffer. */
    private static final class Json implements AutoCloseable {
        private final OutputStream out;

        Json(Path file) throws IOException {
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        }

        Json raw(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Json bytes(byte[] b) throws IOException {
            out.write(b);
            return this;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
