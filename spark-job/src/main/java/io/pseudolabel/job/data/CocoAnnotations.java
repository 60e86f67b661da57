package io.pseudolabel.job.data;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.pseudolabel.geom.Box;
import io.pseudolabel.labeler.GivenBox;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of a COCO instances JSON the label job needs, read with a streaming parser (the 2014 train
 * file is 450 MB): images, categories, and each image's annotation boxes with category names.
 * Segmentations are skipped here.
 */
public final class CocoAnnotations {
    /** One COCO image: its numeric id and file name. */
    public record Image(long id, String fileName, int width, int height) {}

    private final Map<Long, Image> images = new LinkedHashMap<>();
    private final TreeMap<Integer, String> categories = new TreeMap<>();
    private final Map<Long, List<GivenBox>> boxes = new HashMap<>();

    private CocoAnnotations() {}

    public static CocoAnnotations read(InputStream in, String source) throws IOException {
        CocoAnnotations c = new CocoAnnotations();
        List<long[]> pendingIds = new ArrayList<>();
        List<float[]> pendingBoxes = new ArrayList<>();
        try (JsonReader r = new JsonReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            r.beginObject();
            while (r.hasNext()) {
                switch (r.nextName()) {
                    case "images" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            Image img = c.readImage(r);
                            c.images.put(img.id(), img);
                        }
                        r.endArray();
                    }
                    case "categories" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            c.readCategory(r);
                        }
                        r.endArray();
                    }
                    case "annotations" -> {
                        r.beginArray();
                        while (r.hasNext()) {
                            readAnnotation(r, pendingIds, pendingBoxes);
                        }
                        r.endArray();
                    }
                    default -> r.skipValue();
                }
            }
            r.endObject();
        } catch (IllegalStateException | NumberFormatException e) {
            throw new IOException("malformed COCO annotations " + source + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < pendingIds.size(); i++) {
            long imageId = pendingIds.get(i)[0];
            int category = (int) pendingIds.get(i)[1];
            String name = c.categories.get(category);
            if (name == null) {
                throw new IOException(source + ": annotation of image " + imageId + " has unknown category " + category);
            }
            float[] b = pendingBoxes.get(i);
            c.boxes.computeIfAbsent(imageId, k -> new ArrayList<>())
                    .add(new GivenBox(name, new Box(b[0], b[1], b[0] + Math.max(0, b[2]), b[1] + Math.max(0, b[3]))));
        }
        return c;
    }

    private Image readImage(JsonReader r) throws IOException {
        long id = -1;
        String file = null;
        int w = 0;
        int h = 0;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "id" -> id = r.nextLong();
                case "file_name" -> file = r.nextString();
                case "width" -> w = r.nextInt();
                case "height" -> h = r.nextInt();
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (id < 0 || file == null) {
            throw new IllegalStateException("image entry without id or file_name");
        }
        return new Image(id, file, w, h);
    }

    private void readCategory(JsonReader r) throws IOException {
        int id = -1;
        String name = null;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "id" -> id = r.nextInt();
                case "name" -> name = r.nextString();
                default -> r.skipValue();
            }
        }
        r.endObject();
        categories.put(id, name);
    }

    private static void readAnnotation(JsonReader r, List<long[]> ids, List<float[]> boxes) throws IOException {
        long image = -1;
        int category = -1;
        float[] bbox = null;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "image_id" -> image = r.nextLong();
                case "category_id" -> category = r.nextInt();
                case "bbox" -> {
                    bbox = new float[4];
                    r.beginArray();
                    for (int i = 0; i < 4; i++) {
                        bbox[i] = (float) r.nextDouble();
                    }
                    while (r.peek() != JsonToken.END_ARRAY) {
                        r.skipValue();
                    }
                    r.endArray();
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (image >= 0 && category >= 0 && bbox != null) {
            ids.add(new long[] {image, category});
            boxes.add(bbox);
        }
    }

    public Map<Long, Image> images() {
        return images;
    }
    /** Category ids by name, as the file numbers them (COCO's are sparse: 1..90 for 80 classes). */
    public Map<String, Integer> categoryIds() {
        Map<String, Integer> ids = new LinkedHashMap<>();
        categories.forEach((id, name) -> ids.putIfAbsent(name, id));
        return ids;
    }

    public List<GivenBox> boxes(long imageId) {
        return boxes.getOrDefault(imageId, List.of());
    }
}
