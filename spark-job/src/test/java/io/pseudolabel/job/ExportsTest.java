package io.pseudolabel.job;

import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.export.Exports;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import io.pseudolabel.masks.PalettePng;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exports are all or nothing: a failed one leaves the previous output whole, a new one replaces it whole. */
class ExportsTest {
    static final StructType SCHEMA = new StructType().add("image_id", DataTypes.StringType)
            .add("uri", DataTypes.StringType).add("width", DataTypes.IntegerType).add("height", DataTypes.IntegerType)
            .add("status", DataTypes.StringType).add("instances", new ArrayType(LabelTable.INSTANCE, false))
            .add("semantic_png", DataTypes.BinaryType);

    @TempDir
    Path tmp;

    /** OK rows {@code ids}, each a 2x2 map with one instance whose RLE counts are {@code counts}. */
    Path table(String name, List<String> ids, String counts) {
        List<Row> rows = new ArrayList<>();
        for (String id : ids) {
            Row rle = RowFactory.create(seq(List.of(2, 2)), counts);
            Row inst = RowFactory.create(1, "cat", seq(List.of(0f, 0f, 2f, 2f)), 0.9f, 0.8f, 0, rle, null, null);
            rows.add(RowFactory.create(id, "file:/data/" + id + ".jpg", 2, 2, "OK", seq(List.of(inst)),
                    PalettePng.write(new ClassMap(2, 2, new byte[] {1, 1, 0, 0}))));
        }
        Path dir = tmp.resolve(name);
        TestSpark.session().createDataFrame(rows, SCHEMA).coalesce(1).write().parquet(dir.toString());
        return dir;
    }

    static <T> Seq<T> seq(List<T> items) {
        return CollectionConverters.asScala(items).toList();
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedCocoExportLeavesThePreviousFileWholeAndNoTemporaryFile() throws Exception {
        String good = CocoRle.compress(new int[] {0, 4});
        Path out = tmp.resolve("coco/instances.json");
        Files.createDirectories(out.getParent());
        var classes = List.of("cat");
        assertEquals(2, Exports.coco(TestSpark.session(), table("t1", List.of("a", "b"), good).toString(),
                out.toString(), classes));
        byte[] before = Files.readAllBytes(out);
        assertTrue(new String(before, StandardCharsets.UTF_8).contains("\"file_name\":\"b.jpg\""));

        // counts that do not add up to 2x2 fail in the middle of the annotations, after the images were written
        String broken = CocoRle.compress(new int[] {0, 9});
        assertThrows(IllegalArgumentException.class, () -> Exports.coco(TestSpark.session(),
                table("t2", List.of("c", "d"), broken).toString(), out.toString(), classes));
        assertArrayEquals(before, Files.readAllBytes(out), "the previous export is untouched");
        assertEquals(List.of("instances.json"), names(out.getParent()), "no temporary file is left");

        assertEquals(1, Exports.coco(TestSpark.session(), table("t3", List.of("e"), good).toString(), out.toString(),
                classes));
        String after = Files.readString(out);
        assertTrue(after.contains("\"file_name\":\"e.jpg\"") && !after.contains("b.jpg"), after);
        assertEquals(List.of("instances.json"), names(out.getParent()));
    }

    @Test
    void exportVocRefusesANonEmptyFolderAndOverwriteReplacesItWhole() throws Exception {
        String good = CocoRle.compress(new int[] {0, 4});
        Path out = tmp.resolve("voc-out");
        MainTest.Run first = MainTest.run("export", "voc", "--labels", table("v1", List.of("a", "b", "sub/c"), good)
                .toString(), "--output", out.toString(), "--master", "local[2]");
        assertEquals(0, first.code(), first.err());
        assertEquals(List.of("ImageSets", "SegmentationClass"), names(out));
        assertEquals(List.of("a.png", "b.png", "sub"), names(out.resolve("SegmentationClass")));
        assertEquals(List.of("c.png"), names(out.resolve("SegmentationClass/sub")));
        assertEquals(List.of("train.txt"), names(out.resolve("ImageSets/Segmentation")));
        assertEquals(List.of("a", "b", "sub/c"), Files.readAllLines(out.resolve("ImageSets/Segmentation/train.txt")));

        // b and sub/c are gone from the new table: without --overwrite the folder is refused, untouched
        Path labels2 = table("v2", List.of("a", "d"), good);
        MainTest.Run refused = MainTest.run("export", "voc", "--labels", labels2.toString(), "--output",
                out.toString(), "--master", "local[2]");
        assertEquals(1, refused.code(), refused.out());
        MainTest.assertContains(refused.err(), "error: export voc: " + out + " is not empty; pass --overwrite");
        assertEquals(List.of("a.png", "b.png", "sub"), names(out.resolve("SegmentationClass")));

        // with --overwrite it is replaced whole: the PNGs of removed images do not linger
        MainTest.Run replaced = MainTest.run("export", "voc", "--labels", labels2.toString(), "--output",
                out.toString(), "--overwrite", "--split", "val", "--master", "local[2]");
        assertEquals(0, replaced.code(), replaced.err());
        assertEquals(List.of("a.png", "d.png"), names(out.resolve("SegmentationClass")));
        assertEquals(List.of("val.txt"), names(out.resolve("ImageSets/Segmentation")));
        assertEquals(List.of("a", "d"), Files.readAllLines(out.resolve("ImageSets/Segmentation/val.txt")));
        MainTest.assertContains(replaced.out(), "wrote 2 palette PNGs", "export voc: replaced",
                "deleted the previous export, 4 files");
        // no temporary or previous folder left beside it
        assertFalse(names(tmp).stream().anyMatch(n -> n.startsWith(".")), names(tmp).toString());
    }
}
