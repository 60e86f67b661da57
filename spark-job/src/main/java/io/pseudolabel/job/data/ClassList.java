package io.pseudolabel.job.data;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The class names of a run; class ids are 1..C in this order, 0 is background. */
public final class ClassList {
    public static final List<String> VOC = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car",
            "cat", "chair", "cow", "dining table", "dog", "horse", "motorbike", "person", "potted plant", "sheep",
            "sofa", "train", "tv monitor");

    public static final List<String> COCO = List.of("person", "bicycle", "car", "motorcycle", "airplane", "bus",
            "train", "truck", "boat", "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird",
            "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
            "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
            "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "wine glass", "cup", "fork",
            "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog",
            "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed", "dining table", "toilet", "tv",
            "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
            "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush");

    private ClassList() {}

    /** {@code voc}, {@code coco}, or a file with one class name per line (blank lines and # comments skipped). */
    public static List<String> resolve(String spec) {
        return resolve(spec, null);
    }

    /** As {@link #resolve(String)}; with a Hadoop configuration the file may also be on S3 or HDFS. */
    public static List<String> resolve(String spec, Configuration conf) {
        if (spec.equalsIgnoreCase("voc")) {
            return VOC;
        }
        if (spec.equalsIgnoreCase("coco")) {
            return COCO;
        }
        String text;
        try {
            if (conf != null && spec.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*") && !spec.startsWith("file:")) {
                if (!HadoopFiles.exists(spec, conf)) {
                    throw new IllegalArgumentException("--classes must be voc, coco or a file of class names; no file "
                            + spec);
                }
                text = HadoopFiles.readString(spec, conf);
            } else {
                Path file = spec.startsWith("file:") ? Path.of(URI.create(spec)) : Path.of(spec);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("--classes must be voc, coco or a file of class names; no file "
                            + spec);
                }
                text = Files.readString(file, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class file " + spec, e);
        }
        List<String> names = text.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        if (names.isEmpty() || names.size() > 254) {
            throw new IllegalArgumentException("class file " + spec + " must name 1..254 classes, has " + names.size());
        }
        return names;
    }
}
