package io.pseudolabel.job.eval;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * A COCO instances JSON as semantic ground truth: class id = 1 + the rank of the category id among the
 * file's categories sorted by id (COCO's 80 sparse ids 1..90 become 1..80), 0 = background.
 *
 * <p>Rasterisation is pycocotools' {@code annToMask} per annotation (polygons through {@link CocoPolygon},
 * several polygons of one annotation unioned; RLE with uncompressed {@code counts} lists or compressed
 * strings, column-major). The semantic map is painted in two passes: every non-crowd annotation in file
 * order (where instances overlap, the later annotation wins), then every crowd region ({@code iscrowd=1})
 * as 255 on top, so pixels a crowd covers are ignored whatever else claims them.
 */
public final class CocoInstances {

    /** One annotation, already mapped to a class id (or -1 for a category the file does not declare). */
    public record Annotation(int classId, long categoryId, boolean crowd, double[][] polygons, int rleHeight,
            int rleWidth, int[] rleCounts, String rleString) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** One image and its annotations: the ground truth of one evaluation pair. */
    public record Image(long id, String fileName, long width, long height, List<Annotation> annotations)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        /** The file name without directories and extension, the key predictions are matched on. */
        public String key() {
            String name = fileName.substring(fileName.lastIndexOf('/') + 1);
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }

        /**
         * The semantic map: background 0, classes 1..K, crowd 255 (see the class comment). An image whose
         * declared size is beyond {@code limits} is refused before anything is allocated.
         */
        public ClassMap rasterise(ImageLimits limits) {
            String problem = limits.problem(width, height);
            if (problem != null) {
                throw new IllegalArgumentException("COCO image " + id + " (" + fileName + "): " + problem);
            }
            int width = (int) this.width;
            int height = (int) this.height;
            byte[] ids = new byte[width * height];
            for (Annotation a : annotations) {
                if (!a.crowd()) {
                    paint(a, ids, a.classId(), width, height);
                }
            }
            for (Annotation a : annotations) {
                if (a.crowd()) {
                    paint(a, ids, ClassMap.IGNORE, width, height);
                }
            }
            return new ClassMap(width, height, ids);
        }

        private static void paint(Annotation a, byte[] ids, int value, int width, int height) {
            if (value < 0 || value > 255) {
                throw new IllegalArgumentException("annotation with category_id " + a.categoryId()
                        + " that the file's categories do not declare");
            }
            byte v = (byte) value;
            if (a.polygons() != null) {
                for (double[] poly : polygonsOf(a.polygons())) {
                    CocoPolygon.paint(ids, height, width, CocoPolygon.counts(poly, height, width), v);
                }
                return;
            }
            if (a.rleHeight() != height || a.rleWidth() != width) {
                throw new IllegalArgumentException("annotation RLE is " + a.rleWidth() + "x" + a.rleHeight()
                        + " but the image is " + width + "x" + height);
            }
            int[] runs = a.rleCounts() != null ? a.rleCounts() : CocoRle.decompress(a.rleString());
            CocoPolygon.paint(ids, height, width, runs, v);
        }
    }

    /**
     * pycocotools' {@code frPyObjects} reads a list whose first entry has exactly 4 numbers as boxes
     * {@code [x, y, w, h]} (each turned into a 4-corner polygon), anything longer as polygons.
     */
    static List<double[]> polygonsOf(double[][] segmentation) {
        List<double[]> out = new ArrayList<>();
        if (segmentation.length == 0) {
            return out;
        }
        boolean boxes = segmentation[0].length == 4;
        for (double[] s : segmentation) {
            if (boxes) {
                if (s.length != 4) {
                    throw new IllegalArgumentException("box segmentation needs 4 numbers, got " + s.length);
                }
                double x1 = s[0], y1 = s[1], x2 = s[0] + s[2], y2 = s[1] + s[3];
                out.add(new double[] {x1, y1, x1, y2, x2, y2, x2, y1});
            } else {
                if (s.length < 6) {
                    throw new IllegalArgumentException("polygon needs at least 3 points, got " + s.length
                            + " numbers");
                }
                out.add(s);
            }
        }
        return out;
    }

    private final List<String> classNames;
    private final List<Image> images;
    private final int imageCount;

    private CocoInstances(List<String> classNames, List<Image> images, int imageCount) {
        this.classNames = classNames;
        this.images = images;
        this.imageCount = imageCount;
    }

    /** How many images the file declares, kept or not. */
    public int imageCount() {
        return imageCount;
    }

    /** Category names in class-id order (id 1 first); background is not included. */
    public List<String> classNames() {
        return classNames;
    }

    /** Every image of the file that was kept, in file order, with its annotations in file order. */
    public List<Image> images() {
        return images;
    }

    /**
     * Streams the JSON once, keeping only what rasterisation needs (no {@code info}, {@code licenses},
     * boxes or areas), so a large file costs its annotations, not a parse tree.
     */
    public static CocoInstances parse(Reader json) throws IOException {
        return parse(json, id -> true);
    }

    /**
     * As {@link #parse(Reader)}, keeping only the images whose id {@code keep} accepts, and their annotations:
     * the whole file is still read and checked, but what is held grows with the kept images alone. With a
     * filter that keeps nothing it is the categories and the image count, for a driver that leaves the
     * images to its executors (each reading the file for its share of the ids).
     */
    // byte-level streaming JSON parser; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    public static CocoInstances parse(Reader json, LongPredicate keep) throws IOException {
        int imageCount = 0;
        Map<Long, String> categories = new TreeMap<>();
        Map<Long, long[]> sizes = new LinkedHashMap<>(); // image id -> {width, height}
        Map<Long, String> files = new HashMap<>();
        List<RawAnnotation> raw = new ArrayList<>();
        try (JsonReader r = new JsonReader(json)) {
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "categories" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            Map<String, Object> c = flatObject(r);
                            categories.put(number(c, "id", "category").longValue(), String.valueOf(c.get("name")));
                        }
                        r.endArray();
                    }
                    case "images" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            Map<String, Object> im = flatObject(r);
                            long id = number(im, "id", "image").longValue();
                            imageCount++;
                            if (!keep.test(id)) {
                                continue;
                            }
                            sizes.put(id, new long[] {number(im, "width", "image " + id).longValue(),
                                number(im, "height", "image " + id).longValue()});
                            Object name = im.get("file_name");
                            files.put(id, name == null ? Long.toString(id) : name.toString());
                        }
                        r.endArray();
                    }
                    case "annotations" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            RawAnnotation a = annotation(r);
                            if (keep.test(a.imageId)) {
                                raw.add(a);
                            }
                        }
                        r.endArray();
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
        }
        Map<Long, Integer> classOf = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<Long, String> e : categories.entrySet()) {
            classOf.put(e.getKey(), names.size() + 1);
            names.add(e.getValue());
        }
        if (names.size() > 254) {
            throw new IllegalArgumentException("COCO file declares " + names.size() + " categories; at most 254 fit"
                    + " an 8-bit class map with 255 as ignore");
        }
        Map<Long, List<Annotation>> byImage = new HashMap<>();
        for (RawAnnotation a : raw) {
            int cls = classOf.getOrDefault(a.categoryId, -1);
            byImage.computeIfAbsent(a.imageId, k -> new ArrayList<>()).add(new Annotation(cls, a.categoryId,
                    a.crowd, a.polygons, a.rleHeight, a.rleWidth, a.rleCounts, a.rleString));
        }
        List<Image> images = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : sizes.entrySet()) {
            // A size beyond pseudolabel.image.* (or nonsense) is that image's error when it is rasterised.
            long[] wh = e.getValue();
            images.add(new Image(e.getKey(), files.get(e.getKey()), wh[0], wh[1],
                    List.copyOf(byImage.getOrDefault(e.getKey(), List.of()))));
        }
        return new CocoInstances(List.copyOf(names), List.copyOf(images), imageCount);
    }

    private record RawAnnotation(long imageId, long categoryId, boolean crowd, double[][] polygons, int rleHeight,
            int rleWidth, int[] rleCounts, String rleString) {}

    // byte-level streaming JSON parser; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    private static RawAnnotation annotation(JsonReader r) throws IOException {
        long imageId = Long.MIN_VALUE;
        long categoryId = Long.MIN_VALUE;
        boolean crowd = false;
        double[][] polygons = null;
        int rh = -1, rw = -1;
        int[] counts = null;
        String string = null;
        boolean segmentation = false;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "image_id" -> imageId = r.nextLong();
                case "category_id" -> categoryId = r.nextLong();
                case "iscrowd" -> crowd = r.peek() == JsonToken.BOOLEAN ? r.nextBoolean() : r.nextInt() != 0;
                case "segmentation" -> {
                    segmentation = true;
                    if (r.peek() == JsonToken.BEGIN_ARRAY) {
                        List<double[]> polys = new ArrayList<>();
                        r.beginArray();
                        while (r.hasNext()) {
                            polys.add(numbers(r));
                        }
                        r.endArray();
                        polygons = polys.toArray(new double[0][]);
                    } else {
                        r.beginObject();
                        while (r.hasNext()) {
                            switch (r.nextName()) {
                                case "size" -> {
                                    double[] s = numbers(r);
                                    if (s.length != 2) {
                                        throw new IllegalArgumentException("RLE size must be [h, w]");
                                    }
                                    rh = (int) s[0];
                                    rw = (int) s[1];
                                }
                                case "counts" -> {
                                    if (r.peek() == JsonToken.STRING) {
                                        string = r.nextString();
                                    } else {
                                        double[] c = numbers(r);
                                        counts = new int[c.length];
                                        for (int i = 0; i < c.length; i++) {
                                            counts[i] = (int) c[i];
                                        }
                                    }
                                }
                                default -> r.skipValue();
                            }
                        }
                        r.endObject();
                    }
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (imageId == Long.MIN_VALUE || categoryId == Long.MIN_VALUE || !segmentation) {
            throw new IllegalArgumentException("COCO annotation without image_id, category_id or segmentation");
        }
        if (polygons == null && (counts == null && string == null || rh < 0 || rw < 0)) {
            throw new IllegalArgumentException("COCO annotation of image " + imageId
                    + " has an RLE segmentation without size or counts");
        }
        return new RawAnnotation(imageId, categoryId, crowd, polygons, rh, rw, counts, string);
    }

    private static double[] numbers(JsonReader r) throws IOException {
        double[] out = new double[16];
        int n = 0;
        r.beginArray();
        while (r.hasNext()) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = r.nextDouble();
        }
        r.endArray();
        return Arrays.copyOf(out, n);
    }

    /** An object's scalar fields; nested values are skipped. */
    private static Map<String, Object> flatObject(JsonReader r) throws IOException {
        Map<String, Object> out = new HashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String name = r.nextName();
            switch (r.peek()) {
                case NUMBER -> out.put(name, Double.parseDouble(r.nextString()));
                case STRING -> out.put(name, r.nextString());
                case BOOLEAN -> out.put(name, r.nextBoolean());
                default -> r.skipValue();
            }
        }
        r.endObject();
        return out;
    }

    private static Number number(Map<String, Object> o, String key, String what) {
        if (!(o.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("COCO " + what + " has no numeric '" + key + "'");
        }
        return n;
    }
}
