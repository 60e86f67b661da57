package io.pseudolabel.job.bench;

import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The benchmark datasets: VOC trees of generated scenes at one size and object count. Large sets are
 * {@code unique} scenes plus hard-linked copies under other ids (each copy is a separate file to the job;
 * drawing 3,000 distinct scenes would take longer than labelling them). A tree is reused when a previous
 * run wrote the same one.
 */
final class Datasets {
    static final long SEED = 2024L;

    private Datasets() {}

    /** What a tree holds; written as {@code BENCH_DATASET} to recognise it on the next run. */
    record Spec(int unique, int copies, int width, int height, int objects) {
        String key() {
            return "unique=" + unique + " copies=" + copies + " size=" + width + "x" + height + " objects=" + objects
                    + " seed=" + SEED + " v1";
        }

        int total() {
            return unique * copies;
        }
    }

    /** Id of copy {@code c} of scene {@code i}; copy 0 is the scene's own id. */
    static String id(int i, int c) {
        return c == 0 ? SceneGenerator.sceneId(i) : SceneGenerator.sceneId(i) + "_c" + c;
    }

    /**
     * Writes (or reuses) a VOC tree under {@code root}; split {@code "n<N>"} lists the first N ids for every N
     * in {@code splits} (copy-major order: all unique scenes first, then their first copies, ...), and
     * {@code train} lists them all.
     */
    static Path voc(Path root, Spec spec, int... splits) throws IOException {
        Path marker = root.resolve("BENCH_DATASET");
        if (Files.isRegularFile(marker) && Files.readString(marker).strip().equals(spec.key())) {
            writeSplits(root, spec, splits);
            return root;
        }
        deleteTree(root);
        for (String dir : List.of("JPEGImages", "SegmentationClass", "Annotations", "ImageSets/Segmentation")) {
            Files.createDirectories(root.resolve(dir));
        }
        SceneGenerator gen = new SceneGenerator(FixtureWorld.load(), SEED).withSize(spec.width(), spec.height())
                .withObjects(spec.objects());
        for (int i = 0; i < spec.unique(); i++) {
            Scene s = gen.scene(i);
            VocSceneWriter.writeScene(root, s);
            for (int c = 1; c < spec.copies(); c++) {
                String copy = id(i, c);
                link(root.resolve("JPEGImages/" + s.id() + ".jpg"), root.resolve("JPEGImages/" + copy + ".jpg"));
                link(root.resolve("SegmentationClass/" + s.id() + ".png"),
                        root.resolve("SegmentationClass/" + copy + ".png"));
                link(root.resolve("Annotations/" + s.id() + ".xml"), root.resolve("Annotations/" + copy + ".xml"));
            }
        }
        Files.writeString(root.resolve("classes.txt"), String.join("\n", gen.world().classNames()) + "\n",
                StandardCharsets.UTF_8);
        writeSplits(root, spec, splits);
        Files.writeString(marker, spec.key() + "\n", StandardCharsets.UTF_8);
        return root;
    }

    static List<String> ids(Spec spec) {
        List<String> ids = new ArrayList<>(spec.total());
        for (int c = 0; c < spec.copies(); c++) {
            for (int i = 0; i < spec.unique(); i++) {
                ids.add(id(i, c));
            }
        }
        return ids;
    }

    private static void writeSplits(Path root, Spec spec, int... splits) throws IOException {
        List<String> ids = ids(spec);
        Files.writeString(root.resolve("ImageSets/Segmentation/train.txt"), String.join("\n", ids) + "\n");
        for (int n : splits) {
            if (n > ids.size()) {
                throw new IllegalArgumentException("split of " + n + " images from a set of " + ids.size());
            }
            Files.writeString(root.resolve("ImageSets/Segmentation/n" + n + ".txt"),
                    String.join("\n", ids.subList(0, n)) + "\n");
        }
    }

    /** The ground-truth PNG of every id, read back (for building prediction tables). */
    static byte[] groundTruthPng(Path root, String id) throws IOException {
        return Files.readAllBytes(root.resolve("SegmentationClass/" + id + ".png"));
    }

    private static void link(Path target, Path link) throws IOException {
        Files.deleteIfExists(link);
        try {
            Files.createLink(link, target);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(target, link);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Checks the tree's PNGs decode: a cheap guard that a reused tree is intact. */
    static void check(Path root, Spec spec) throws IOException {
        PalettePng.read(groundTruthPng(root, id(0, 0)));
    }
}
