package io.pseudolabel.job.head;

import io.pseudolabel.clip.head.ClassNameMap;
import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The labelled auxiliary set of finetune-clip, read on the driver: a CSV {@code image,label[;label...]}
 * (image paths relative to {@code --images}, with or without their extension; several rows of one image add
 * up; an optional header row starting with {@code image}) or, with {@code --labels folder}, one sub-folder
 * per class under {@code --images}. Labels go through the class-name map, then must be in the class list
 * (case-insensitive) unless unknown labels are dropped.
 */
public final class HeadLabels {
    /** The {@code --labels} value that means folder-per-class. */
    public static final String FOLDER = "folder";

    private HeadLabels() {}

    /** One training image and its class indices (0-based into the class list). */
    public record Example(String key, String uri, int[] classes) implements Serializable {}

    /** The examples, and what was left out with {@code unknown-labels = drop}. */
    public record Result(List<Example> examples, Map<String, Integer> droppedLabels, int imagesWithoutLabels) {}

    public static Result read(String images, String labels, ClassNameMap map, List<String> classes,
            boolean dropUnknown, Configuration conf) {
        List<ImageRef> listed = DatasetLister.list(Layout.FOLDER, images, null, null, false, false, conf);
        if (listed.isEmpty()) {
            throw new IllegalArgumentException("no images (jpg, jpeg, png, bmp, webp) under --images " + images);
        }
        Map<String, String> uris = uniqueIds(listed, images);
        List<String> refused = listed.stream().map(ImageRef::refused).filter(Objects::nonNull).toList();
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(refused.size() + " image(s) under " + images + " have ids that are not "
                    + "safe relative paths, e.g. " + refused.get(0));
        }
        Map<String, List<String>> raw = labels.equals(FOLDER) ? byFolder(listed, images) : byCsv(listed, images,
                labels, conf);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i).strip().toLowerCase(Locale.ROOT), i);
        }
        Map<String, Integer> unknown = new TreeMap<>();
        Map<String, String> firstImage = new HashMap<>();
        List<Example> out = new ArrayList<>();
        int empty = 0;
        for (Map.Entry<String, List<String>> e : raw.entrySet()) {
            Set<Integer> ids = new LinkedHashSet<>();
            for (String label : e.getValue()) {
                String name = map.apply(label);
                if (name == null) {
                    continue; // mapped to "-": dropped on purpose
                }
                Integer id = index.get(name.toLowerCase(Locale.ROOT));
                if (id == null) {
                    unknown.merge(name, 1, Integer::sum);
                    firstImage.putIfAbsent(name, e.getKey());
                } else {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                empty++;
                continue;
            }
            out.add(new Example(e.getKey(), uris.get(e.getKey()), ids.stream().mapToInt(Integer::intValue).toArray()));
        }
        if (!unknown.isEmpty() && !dropUnknown) {
            StringBuilder sb = new StringBuilder();
            unknown.forEach((name, n) -> sb.append(sb.length() == 0 ? "" : ", ").append("'").append(name).append("' (")
                    .append(n).append(" images, e.g. ").append(firstImage.get(name)).append(")"));
            throw new IllegalArgumentException("labels in " + labels + " are not in --classes " + classes + ": " + sb
                    + "; map them with --class-map FILE, or set pseudolabel.clip-head.unknown-labels = drop");
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no image in " + labels + " has a label in --classes " + classes);
        }
        return new Result(out, unknown, empty);
    }

    /**
     * Image id -> uri. Ids drop the extension, so {@code a.jpg} and {@code a.png} in one folder would be one
     * image and one of them silently lost: an error naming both files instead.
     */
    static Map<String, String> uniqueIds(List<ImageRef> listed, String images) {
        Map<String, String> uris = new LinkedHashMap<>();
        for (ImageRef r : listed) {
            String other = uris.putIfAbsent(r.imageId(), r.uri());
            if (other != null) {
                throw new IllegalArgumentException("two images under " + images + " have the id '" + r.imageId()
                        + "' (the path without its extension): " + other + " and " + r.uri()
                        + "; rename one, as labels name images by id");
            }
        }
        return uris;
    }

    /** Image id (path below --images without extension) -> the name of its top-level folder. */
    static Map<String, List<String>> byFolder(List<ImageRef> listed, String images) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> loose = new ArrayList<>();
        for (ImageRef r : listed) {
            int slash = r.imageId().indexOf('/');
            if (slash < 0) {
                loose.add(r.imageId());
                continue;
            }
            out.put(r.imageId(), List.of(r.imageId().substring(0, slash)));
        }
        if (!loose.isEmpty()) {
            throw new IllegalArgumentException("--labels folder: " + loose.size() + " images directly in " + images
                    + " are in no class folder, e.g. " + loose.subList(0, Math.min(3, loose.size())));
        }
        return out;
    }

    static Map<String, List<String>> byCsv(List<ImageRef> listed, String images, String csv, Configuration conf) {
        String text;
        try {
            text = HadoopFiles.readString(csv, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read labels " + csv + ": " + e.getMessage(), e);
        }
        Map<String, String> byName = new HashMap<>();
        for (ImageRef r : listed) {
            String rel = r.imageId() + r.uri().substring(r.uri().lastIndexOf('.'));
            byName.put(r.imageId(), r.imageId());
            byName.put(rel, r.imageId());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        boolean first = true; // the first line that is not blank or a comment may be the header
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> cols = ClassNameMap.splitCsv(line, "labels " + csv, i + 1);
            boolean header = first && cols.get(0).strip().equalsIgnoreCase("image");
            first = false;
            if (header) {
                continue;
            }
            if (cols.size() != 2 || cols.get(0).isBlank()) {
                throw new IllegalArgumentException("labels " + csv + " line " + (i + 1)
                        + ": expected image,label[;label...]; got '" + lines[i] + "'");
            }
            String name = cols.get(0).strip().replaceFirst("^\\./", "");
            String id = byName.get(name);
            if (id == null) {
                missing.add(name + " (line " + (i + 1) + ")");
                continue;
            }
            List<String> labels = out.computeIfAbsent(id, k -> new ArrayList<>());
            for (String l : cols.get(1).split(";")) {
                if (!l.isBlank()) {
                    labels.add(l.strip());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("labels " + csv + " names " + missing.size() + " images not found under "
                    + images + ": " + missing.subList(0, Math.min(5, missing.size())));
        }
        return out;
    }
}
