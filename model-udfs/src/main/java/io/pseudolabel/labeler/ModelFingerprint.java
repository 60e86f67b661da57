package io.pseudolabel.labeler;

import io.pseudolabel.clip.ClipSettings;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.dino.DinoSettings;
import io.pseudolabel.masks.GroupingConfig;
import io.pseudolabel.sam.SamSettings;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What decides a label besides the image and what was given with it: {@link #LABELER_VERSION}, the full content
 * of every model file the supervision mode loads (SHA-256, remembered by {@link ContentHashes} so unchanged
 * files are not read again), the class list, and each setting that changes labels, written out field by field.
 * Settings that change only how fast labels come (batch sizes, threads, device, ONNX Runtime's optimisation
 * level) are left out. Two runs with the same fingerprint label an unchanged image the same way.
 */
public final class ModelFingerprint {
    /**
     * Raise it whenever a code change makes the same models and settings give other labels (preprocessing,
     * grouping, composition): every row then carries a new fingerprint and {@code --incremental} relabels.
     */
    public static final String LABELER_VERSION = "4";
    private static final int EDGE = 1 << 20;

    private ModelFingerprint() {}

    public static String of(LabelerSettings settings, List<String> classNames) {
        return of(settings, classNames, ContentHashes.in(settings.modelCache().resolvedDir()));
    }

    public static String of(LabelerSettings settings, List<String> classNames, ContentHashes hashes) {
        MessageDigest md = sha256();
        update(md, describe(settings, classNames, hashes));
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    /** The canonical text the fingerprint hashes: one {@code key=value} line per field that decides labels. */
    static String describe(LabelerSettings s, List<String> classNames, ContentHashes hashes) {
        StringBuilder b = new StringBuilder();
        line(b, "labeler-version", LABELER_VERSION);
        line(b, "supervision", s.supervision().name());
        line(b, "classes", quoted(classNames));
        if (s.supervision() == Supervision.NONE) {
            ClipSettings c = s.clip();
            line(b, "clip.logit-scale", Float.toString(c.logitScale()));
            line(b, "clip.top-n", Integer.toString(c.topN()));
            line(b, "clip.min-prob", Float.toString(c.minProb()));
            line(b, "clip.templates", quoted(c.templates()));
            files(b, "clip", s.clipPath(), hashes);
        }
        if (s.supervision() != Supervision.BOXES) {
            DinoSettings d = s.dino();
            line(b, "grounding-dino.model-file", quoted(List.of(d.modelFile())));
            line(b, "grounding-dino.box-threshold", Float.toString(d.boxThreshold()));
            line(b, "grounding-dino.text-threshold", Float.toString(d.textThreshold()));
            line(b, "grounding-dino.prompt-mode", d.promptMode().name());
            line(b, "grounding-dino.nms-iou", Float.toString(d.nmsIou()));
            line(b, "grounding-dino.max-detections-per-class", Integer.toString(d.maxDetectionsPerClass()));
            files(b, "grounding-dino", s.dinoPath(), hashes);
        }
        SamSettings m = s.sam();
        line(b, "sam.encoder", quoted(List.of(m.encoderFile())));
        line(b, "sam.decoder", quoted(List.of(m.decoderFile())));
        line(b, "sam.mask-threshold", Float.toString(m.maskThreshold()));
        files(b, "sam", s.samPath(), hashes);
        GroupingConfig g = s.grouping();
        line(b, "grouping.box-margin", Float.toString(g.boxMargin()));
        line(b, "grouping.min-box-iou", Float.toString(g.minBoxIou()));
        line(b, "grouping.near-tie", Float.toString(g.nearTie()));
        line(b, "grouping.overlap", s.overlap().name());
        line(b, "grouping.ignore-below", Float.toString(g.ignoreBelow()));
        line(b, "grouping.ignore-boundary", Integer.toString(g.ignoreBoundary()));
        return b.toString();
    }

    /** Every file of a model directory (hidden ones left out): relative path, size, SHA-256 of its content. */
    private static void files(StringBuilder b, String role, Path dir, ContentHashes hashes) {
        List<Path> files = modelFiles(dir);
        try {
            Map<Path, String> sha = hashes.sha256(files);
            for (Path f : files) {
                line(b, "model." + role, quoted(List.of(dir.relativize(f).toString().replace('\\', '/')))
                        + " " + Files.size(f) + " " + sha.get(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint model directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> modelFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory not found: " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> !hidden(dir.relativize(f))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model directory " + dir, e);
        }
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append('=').append(value).append('\n');
    }

    /** Strings in double quotes with backslash escapes, so no list of names can read as another. */
    private static String quoted(List<String> values) {
        StringBuilder b = new StringBuilder("[");
        for (String v : values) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.append(']').toString();
    }

    /**
     * The CLIP model alone, as a trained head records it: each file's path, size and the bytes of its first and
     * last MiB (unchanged since heads were first written, so existing head files stay valid). Two directories
     * with the same files give the same value wherever they are.
     */
    public static String ofClip(Path clipDir) {
        MessageDigest md = sha256();
        // Hidden files left out: a copy localised from S3/HDFS carries a .complete marker the original lacks.
        hashEdges(md, clipDir);
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    /** {@code base} combined with the trained CLIP head that labels in its place ({@code headDigest}). */
    public static String withHead(String base, String headDigest) {
        MessageDigest md = sha256();
        update(md, base);
        update(md, "clip-head=" + headDigest);
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static void hashEdges(MessageDigest md, Path dir) {
        try {
            for (Path f : modelFiles(dir)) {
                long size = Files.size(f);
                update(md, dir.relativize(f) + ":" + size);
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
                    byte[] head = new byte[(int) Math.min(EDGE, size)];
                    raf.readFully(head);
                    md.update(head);
                    if (size > EDGE) {
                        byte[] tail = new byte[(int) Math.min(EDGE, size - EDGE)];
                        raf.seek(size - tail.length);
                        raf.readFully(tail);
                        md.update(tail);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint model directory " + dir, e);
        }
    }

    /**
     * A relative path with any component starting with '.': {@code .complete} markers, and caches such as
     * huggingface-cli's {@code .cache/huggingface/download/*.metadata}, which hold timestamps, not weights.
     */
    static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
