package io.pseudolabel.job.eval;

import io.pseudolabel.image.ImageLimits;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COCO ground truth rasterised as pycocotools does. The expected runs were derived by hand from
 * {@code rleFrPoly}: scale by 5, walk the edges, keep column crossings at x = 5n+2, row
 * ceil((min v + .5)/5 - .5), sort, difference, fold zero runs.
 */
class CocoRasterTest {
    private static final ImageLimits LIMITS = TestSpark.limits();


    private static int[][] grid(ClassMap m) {
        int[][] g = new int[m.height()][m.width()];
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                g[y][x] = m.get(x, y);
            }
        }
        return g;
    }

    @Test
    void rectangleByHand() {
        // x: 5,20 -> crossings at 7,12,17 = columns 1,2,3; top edge v=5 -> row ceil(0.6)=1, bottom v=15 -> 3.
        // positions x*h+y (h=5): 6,11,16 on, 8,13,18 off, + h*w=30 -> runs 6,2,3,2,3,2,12.
        int[] runs = CocoPolygon.counts(new double[] {1, 1, 4, 1, 4, 3, 1, 3}, 5, 6);
        assertArrayEquals(new int[] {6, 2, 3, 2, 3, 2, 12}, runs);
        // the same rectangle with its vertices in the other direction
        assertArrayEquals(runs, CocoPolygon.counts(new double[] {1, 1, 1, 3, 4, 3, 4, 1}, 5, 6));
    }

    @Test
    void triangleByHandIncludingACancellingVertex() {
        // Edge 0 (top) toggles columns 0..3 at row 0; the hypotenuse, walked flipped, crosses x=17,12,7,2 at
        // v = 2,7,12,17 -> rows 0,1,2,3. Column 3 gets row 0 twice: the zero-length run folds away, so the
        // corner pixel (3,0), whose centre lies on the edge, stays off.
        // positions: 0,3,5,7,10,11,15,15,25 -> diffs 0,3,2,2,3,1,4,0,10 -> runs 0,3,2,2,3,1,14
        int[] runs = CocoPolygon.counts(new double[] {0, 0, 4, 0, 0, 4}, 5, 5);
        assertArrayEquals(new int[] {0, 3, 2, 2, 3, 1, 14}, runs);
        byte[] ids = new byte[25];
        CocoPolygon.paint(ids, 5, 5, runs, (byte) 1);
        int[][] expected = {
            {1, 1, 1, 0, 0},
            {1, 1, 0, 0, 0},
            {1, 0, 0, 0, 0},
            {0, 0, 0, 0, 0},
            {0, 0, 0, 0, 0}};
        assertArrayEquals(expected, grid(new ClassMap(5, 5, ids)));
    }

    @Test
    void polygonOutsideTheImageIsClipped() {
        // a square from -2 to 2: columns 0 and 1 (crossings at x=-8,-3 fall outside), rows 0..1
        int[] runs = CocoPolygon.counts(new double[] {-2, -2, 2, -2, 2, 2, -2, 2}, 4, 4);
        byte[] ids = new byte[16];
        CocoPolygon.paint(ids, 4, 4, runs, (byte) 1);
        assertArrayEquals(new int[][] {{1, 1, 0, 0}, {1, 1, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}},
                grid(new ClassMap(4, 4, ids)));
    }

    @Test
    void cIntMatchesX86Conversion() {
        assertEquals(2, CocoPolygon.cInt(2.9));
        assertEquals(-2, CocoPolygon.cInt(-2.9));
        assertEquals(Integer.MIN_VALUE, CocoPolygon.cInt(Double.NaN));
        assertEquals(Integer.MIN_VALUE, CocoPolygon.cInt(1e12));
    }

    static final String JSON = """
            {"info": {"year": 2017}, "licenses": [],
             "images": [
               {"id": 7, "file_name": "000007.jpg", "width": 6, "height": 5},
               {"id": 8, "file_name": "sub/000008.png", "width": 4, "height": 4},
               {"id": 9, "file_name": "000009.jpg", "width": 4, "height": 4},
               {"id": 10, "file_name": "000010.jpg", "width": 6, "height": 5}],
             "annotations": [
               {"id": 1, "image_id": 7, "category_id": 3, "iscrowd": 0, "bbox": [1, 1, 3, 2], "area": 6,
                "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]]},
               {"id": 2, "image_id": 7, "category_id": 1, "iscrowd": 0, "segmentation": [[0, 0, 4, 0, 0, 4]]},
               {"id": 3, "image_id": 7, "category_id": 1, "iscrowd": 1,
                "segmentation": {"size": [5, 6], "counts": [25, 5]}},
               {"id": 4, "image_id": 7, "category_id": 90, "iscrowd": 0,
                "segmentation": {"size": [5, 6], "counts": "%s"}},
               {"id": 5, "image_id": 8, "category_id": 3, "iscrowd": 0,
                "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1], [2, 2, 3, 2, 3, 3, 2, 3]]},
               {"id": 6, "image_id": 9, "category_id": 90, "iscrowd": 0, "segmentation": [[1, 1, 2, 2]]},
               {"id": 7, "image_id": 10, "category_id": 1, "iscrowd": 1,
                "segmentation": {"size": [4, 4], "counts": [0, 16]}},
               {"id": 8, "image_id": 10, "category_id": 5, "iscrowd": 0, "segmentation": [[0, 0, 4, 0, 0, 4]]}],
             "categories": [{"id": 90, "name": "toothbrush", "supercategory": "indoor"},
                            {"id": 1, "name": "person"}, {"id": 3, "name": "car"}]}
            """;

    static CocoInstances parse() throws IOException {
        // pixels (4,4) and (5,4): column-major 24 and 29 -> runs 24,1,4,1, compressed as pycocotools does
        String compressed = CocoRle.compress(new int[] {24, 1, 4, 1});
        return CocoInstances.parse(new StringReader(JSON.replace("%s", compressed)));
    }

    @Test
    void semanticMapWithPolygonsRleCrowdAndOverlap() throws IOException {
        CocoInstances coco = parse();
        // sparse ids 1, 3, 90 -> classes 1, 2, 3 by sorted id, whatever the file order
        assertEquals(List.of("person", "car", "toothbrush"), coco.classNames());
        CocoInstances.Image im = coco.images().get(0);
        assertEquals("000007", im.key());
        int[][] expected = {
            // rectangle (car=2) cols 1..3 rows 1..2; triangle (person=1) painted later wins at (1,1);
            // crowd RLE column 5 -> 255, even over the later toothbrush pixel (5,4); toothbrush=3 at (4,4)
            {1, 1, 1, 0, 0, 255},
            {1, 1, 2, 2, 0, 255},
            {1, 2, 2, 2, 0, 255},
            {0, 0, 0, 0, 0, 255},
            {0, 0, 0, 0, 3, 255}};
        assertArrayEquals(expected, grid(im.rasterise(LIMITS)));
    }

    @Test
    void polygonsOfOneAnnotationAreUnited() throws IOException {
        CocoInstances.Image im = parse().images().get(1);
        assertEquals("000008", im.key());
        assertArrayEquals(new int[][] {{2, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 0}}, grid(im.rasterise(LIMITS)));
    }

    @Test
    void fourNumbersAreABoxAsInFrPyObjects() throws IOException {
        CocoInstances.Image im = parse().images().get(2);
        assertArrayEquals(new int[][] {{0, 0, 0, 0}, {0, 3, 3, 0}, {0, 3, 3, 0}, {0, 0, 0, 0}}, grid(im.rasterise(LIMITS)));
    }

    @Test
    void wrongRleSizeAndUnknownCategoryAreErrors() throws IOException {
        CocoInstances.Image im = parse().images().get(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> im.rasterise(LIMITS));
        assertTrue(e.getMessage().contains("category_id 5"), e.getMessage());
        CocoInstances.Image rleOnly = new CocoInstances.Image(10, "x.jpg", 6, 5, List.of(im.annotations().get(0)));
        e = assertThrows(IllegalArgumentException.class, () -> rleOnly.rasterise(LIMITS));
        assertTrue(e.getMessage().contains("4x4"), e.getMessage());
    }
}
