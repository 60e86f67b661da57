package io.pseudolabel.labeler;

import io.pseudolabel.config.LabelerSettings;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What decides a label besides the image: the model files (path, size, and the bytes of their first and
 * last MiB, so multi-GB files are not read whole), the class list and every labelling setting except the
 * execution device. Two runs with the same fingerprint label an unchanged image the same way.
 */
public final class ModelFingerprint {
    private static final int EDGE = 1 << 20;

    private ModelFingerprint() {}

    public static String of(LabelerSettings settings, List<String> classNames) {
        MessageDigest md = sha256();
        List<Path> dirs = new ArrayList<>();
        if (settings.supervision() == Supervision.NONE) {
            dirs.add(settings.clipPath());
        }
        if (settings.supervision() != Supervision.BOXES) {
            dirs.add(settings.dinoPath());
        }
        dirs.add(settings.samPath());
        for (Path dir : dirs) {
            hashTree(md, dir, false);
        }
        update(md, "classes=" + classNames);
        update(md, "supervision=" + settings.supervision() + " clip=" + settings.clip().zeroShotDescription()
                + " dino=" + settings.dino()
                + " sam=" + settings.sam().labelDescription() + " grouping=" + settings.grouping() + " overlap=" + settings.overlap());
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    /**
     * The CLIP model alone (its files, as {@link #of} hashes them): what a trained head depends on. Two
     * directories with the same files give the same value wherever they are.
     */
    public static String ofClip(Path clipDir) {
        MessageDigest md = sha256();
        // Hidden files left out: a copy localised from S3/HDFS carries a .complete marker the original lacks.
        hashTree(md, clipDir, true);
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    /** {@code base} combined with the trained CLIP head that labels in its place ({@code headDigest}). */
    public static String withHead(String base, String headDigest) {
        MessageDigest md = sha256();
        update(md, base);
        update(md, "clip-head=" + headDigest);
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static void hashTree(MessageDigest md, Path dir, boolean skipHidden) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory not found: " + dir);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> !skipHidden || !hidden(dir.relativize(f))).sorted().toList()) {
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
