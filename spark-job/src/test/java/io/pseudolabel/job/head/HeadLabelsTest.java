package io.pseudolabel.job.head;

import io.pseudolabel.clip.head.ClassNameMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading finetune-clip's labels: CSV or folder-per-class, through the class-name map. */
class HeadLabelsTest {
    static final List<String> CLASSES = List.of("cat", "dog", "motorbike");

    static void touch(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
    }

    @Test
    void csvRowsAddUpAndGoThroughTheMap(@TempDir Path tmp) throws Exception {
        touch(tmp.resolve("img/a.jpg"));
        touch(tmp.resolve("img/sub/b.png"));
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "image,labels\na.jpg,Cat;Motorcycle\nsub/b,dog\na.jpg,cat\n");
        ClassNameMap map = ClassNameMap.parse("Motorcycle,motorbike\n", "map.csv");
        HeadLabels.Result r = HeadLabels.read(tmp.resolve("img").toString(), csv.toString(), map, CLASSES, false,
                new Configuration());
        assertEquals(2, r.examples().size());
        HeadLabels.Example a = r.examples().get(0);
        assertEquals("a", a.key());
        assertTrue(a.uri().endsWith("img/a.jpg"), a.uri());
        assertArrayEquals(new int[] {0, 2}, a.classes());
        assertEquals("sub/b", r.examples().get(1).key());
        assertArrayEquals(new int[] {1}, r.examples().get(1).classes());
    }

    @Test
    void folderPerClassWithAMappedFolderName(@TempDir Path tmp) throws Exception {
        touch(tmp.resolve("Cat/1.jpg"));
        touch(tmp.resolve("Doggy/2.jpg"));
        touch(tmp.resolve("Doggy/deeper/3.jpg"));
        HeadLabels.Result r = HeadLabels.read(tmp.toString(), HeadLabels.FOLDER,
                ClassNameMap.parse("doggy,dog", "m.csv"), CLASSES, false, new Configuration());
        assertEquals(List.of("Cat/1:[0]", "Doggy/2:[1]", "Doggy/deeper/3:[1]"), r.examples().stream()
                .map(e -> e.key() + ":" + Arrays.toString(e.classes())).toList());
        touch(tmp.resolve("loose.jpg"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadLabels.read(tmp.toString(),
                HeadLabels.FOLDER, ClassNameMap.identity(), CLASSES, false, new Configuration()));
        assertTrue(e.getMessage().contains("no class folder") && e.getMessage().contains("loose"), e.getMessage());
    }

    @Test
    void unknownLabelsAreNamedOrDroppedAndMissingImagesAreNamed(@TempDir Path tmp) throws Exception {
        touch(tmp.resolve("img/a.jpg"));
        touch(tmp.resolve("img/b.jpg"));
        Path csv = tmp.resolve("l.csv");
        Files.writeString(csv, "a.jpg,cat;Person\nb.jpg,Person\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadLabels.read(
                tmp.resolve("img").toString(), csv.toString(), ClassNameMap.identity(), CLASSES, false,
                new Configuration()));
        assertTrue(e.getMessage().contains("'Person' (2 images, e.g. a)") && e.getMessage().contains("--class-map")
                && e.getMessage().contains("unknown-labels = drop"), e.getMessage());
        HeadLabels.Result r = HeadLabels.read(tmp.resolve("img").toString(), csv.toString(), ClassNameMap.identity(),
                CLASSES, true, new Configuration());
        assertEquals(1, r.examples().size());
        assertEquals(Map.of("Person", 2), r.droppedLabels());
        assertEquals(1, r.imagesWithoutLabels());

        Files.writeString(csv, "a.jpg,cat\nnope.jpg,dog\n");
        e = assertThrows(IllegalArgumentException.class, () -> HeadLabels.read(tmp.resolve("img").toString(),
                csv.toString(), ClassNameMap.identity(), CLASSES, false, new Configuration()));
        assertTrue(e.getMessage().contains("nope.jpg (line 2)"), e.getMessage());
        Files.writeString(csv, "a.jpg\n");
        e = assertThrows(IllegalArgumentException.class, () -> HeadLabels.read(tmp.resolve("img").toString(),
                csv.toString(), ClassNameMap.identity(), CLASSES, false, new Configuration()));
        assertTrue(e.getMessage().contains(csv + " line 1: expected image,label"), e.getMessage());
    }

    @Test
    void aHeaderAfterCommentsAndBlankLinesIsAHeader(@TempDir Path tmp) throws Exception {
        touch(tmp.resolve("img/a.jpg"));
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "# Open Images subset, verified labels\n\nImage,Labels\na,cat\n");
        HeadLabels.Result r = HeadLabels.read(tmp.resolve("img").toString(), csv.toString(), ClassNameMap.identity(),
                CLASSES, false, new Configuration());
        assertEquals(1, r.examples().size());
        assertArrayEquals(new int[] {0}, r.examples().get(0).classes());
        // Only the first such line: a later 'image' row is an image named image.
        Files.writeString(csv, "image,label\na,cat\nimage,dog\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadLabels.read(
                tmp.resolve("img").toString(), csv.toString(), ClassNameMap.identity(), CLASSES, false,
                new Configuration()));
        assertTrue(e.getMessage().contains("image (line 3)"), e.getMessage());
    }

    @Test
    void twoFilesWithOneIdAreAnErrorNamingBoth(@TempDir Path tmp) throws Exception {
        touch(tmp.resolve("img/cat/a.jpg"));
        touch(tmp.resolve("img/cat/a.png"));
        for (String labels : List.of("folder", tmp.resolve("labels.csv").toString())) {
            Files.writeString(tmp.resolve("labels.csv"), "cat/a,cat\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadLabels.read(
                    tmp.resolve("img").toString(), labels, ClassNameMap.identity(), CLASSES, false,
                    new Configuration()));
            assertTrue(e.getMessage().contains("cat/a.jpg") && e.getMessage().contains("cat/a.png")
                    && e.getMessage().contains("'cat/a'"), e.getMessage());
        }
    }
}
