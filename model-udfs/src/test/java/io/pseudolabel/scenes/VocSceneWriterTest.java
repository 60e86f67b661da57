package io.pseudolabel.scenes;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocSceneWriterTest {

    private static final FixtureWorld WORLD = FixtureWorld.load();

    @Test
    void writesAVocTree(@TempDir Path root) throws Exception {
        SceneGenerator gen = new SceneGenerator(WORLD, 11);
        VocSceneWriter.Splits splits = new VocSceneWriter(gen).write(root, 3, 2);
        assertEquals(List.of("scene_000000", "scene_000001", "scene_000002"), splits.train());
        assertEquals(List.of("scene_000003", "scene_000004"), splits.val());
        assertEquals("scene_000000\nscene_000001\nscene_000002\n",
                Files.readString(root.resolve("ImageSets/Segmentation/train.txt")));
        assertEquals("scene_000003\nscene_000004\n", Files.readString(root.resolve("ImageSets/Segmentation/val.txt")));
        assertEquals("cat\ndog\ncar\nbird\nboat\npotted plant\n", Files.readString(root.resolve("classes.txt")));

        for (int i = 0; i < 5; i++) {
            Scene scene = gen.scene(i);
            String id = scene.id();
            // the class PNG is the exact ground truth
            assertEquals(scene.truth(), PalettePng.read(Files.readAllBytes(root.resolve("SegmentationClass/" + id + ".png"))));
            // the JPEG decodes to the right size and close to the rendered pixels
            BufferedImage jpg = ImageIO.read(root.resolve("JPEGImages/" + id + ".jpg").toFile());
            assertEquals(scene.image().width(), jpg.getWidth());
            assertEquals(scene.image().height(), jpg.getHeight());
            assertTrue(meanAbsError(scene, jpg) < 4.0, "mean abs error " + meanAbsError(scene, jpg));
            // each object keeps its colour through JPEG (channel order included): mean over its pixels
            for (SceneObject o : scene.objects()) {
                double[] rendered = new double[3], decoded = new double[3];
                for (int y = 0; y < jpg.getHeight(); y++) {
                    for (int x = 0; x < jpg.getWidth(); x++) {
                        if (o.visible().get(x, y)) {
                            int p = jpg.getRGB(x, y);
                            for (int c = 0; c < 3; c++) {
                                rendered[c] += scene.image().get(x, y, c);
                                decoded[c] += (p >> (16 - 8 * c)) & 0xff;
                            }
                        }
                    }
                }
                for (int c = 0; c < 3; c++) {
                    double diff = Math.abs(rendered[c] - decoded[c]) / o.visible().area();
                    assertTrue(diff < 8, id + " object " + o.name() + " channel " + c + " off by " + diff);
                }
            }
            // the annotation parses and its boxes are the visible pixels' boxes, 1-based inclusive
            Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(root.resolve("Annotations/" + id + ".xml").toFile());
            assertEquals(id + ".jpg", text(xml.getDocumentElement(), "filename"));
            assertEquals(String.valueOf(scene.image().width()), text(xml.getDocumentElement(), "width"));
            assertEquals(String.valueOf(scene.image().height()), text(xml.getDocumentElement(), "height"));
            NodeList objects = xml.getElementsByTagName("object");
            assertEquals(scene.objects().size(), objects.getLength());
            for (int k = 0; k < objects.getLength(); k++) {
                Element o = (Element) objects.item(k);
                SceneObject expected = scene.objects().get(k);
                assertEquals(expected.name(), text(o, "name"));
                Box b = expected.box();
                assertEquals((int) b.x1() + 1, Integer.parseInt(text(o, "xmin")));
                assertEquals((int) b.y1() + 1, Integer.parseInt(text(o, "ymin")));
                assertEquals((int) b.x2(), Integer.parseInt(text(o, "xmax")));
                assertEquals((int) b.y2(), Integer.parseInt(text(o, "ymax")));
                // xmin..xmax (1-based) holds visible pixels in its first and last columns
                int firstCol = Integer.parseInt(text(o, "xmin")) - 1;
                int lastCol = Integer.parseInt(text(o, "xmax")) - 1;
                assertTrue(columnHas(expected, firstCol) && columnHas(expected, lastCol));
            }
        }
    }

    @Test
    void theSameSeedWritesTheSameBytes(@TempDir Path a, @TempDir Path b) throws Exception {
        new VocSceneWriter(new SceneGenerator(WORLD, 5)).write(a, 2, 1);
        new VocSceneWriter(new SceneGenerator(WORLD, 5)).write(b, 2, 1);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(a)) {
            files = walk.filter(Files::isRegularFile).map(a::relativize).sorted().toList();
        }
        assertEquals(3 * 3 + 3, files.size()); // jpg+png+xml per scene, two splits, classes.txt
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f.toString());
        }
    }

    @Test
    void annotationXmlByHand() {
        // A scene with one object whose visible pixels span columns 10..19 and rows 5..7 (0-based).
        BitMask m = BitMask.ofBox(30, 10, new Box(10, 5, 20, 8));
        SceneObject o = new SceneObject(2, "dog", new ObjectShape.Ellipse(15, 6.5, 5, 1.5),
                new Box(10, 5, 20, 8), m, new BitMask(30, 10), new BitMask(30, 10), 30);
        Scene scene = new Scene("scene_000007",
                new RgbImage(30, 10, new byte[900]), new ClassMap(30, 10), List.of(o));
        String xml = VocSceneWriter.annotationXml(scene);
        assertTrue(xml.contains("<filename>scene_000007.jpg</filename>"));
        assertTrue(xml.contains("<width>30</width>") && xml.contains("<height>10</height>"));
        assertTrue(xml.contains("<name>dog</name>"));
        assertTrue(xml.contains("<xmin>11</xmin>\n\t\t\t<ymin>6</ymin>\n\t\t\t<xmax>20</xmax>\n\t\t\t<ymax>8</ymax>"), xml);
    }

    private static boolean columnHas(SceneObject o, int x) {
        for (int y = 0; y < o.visible().height(); y++) {
            if (o.visible().get(x, y)) {
                return true;
            }
        }
        return false;
    }

    private static double meanAbsError(Scene scene, BufferedImage jpg) {
        long sum = 0;
        int w = jpg.getWidth(), h = jpg.getHeight();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = jpg.getRGB(x, y);
                sum += Math.abs(((p >> 16) & 0xff) - scene.image().get(x, y, 0));
                sum += Math.abs(((p >> 8) & 0xff) - scene.image().get(x, y, 1));
                sum += Math.abs((p & 0xff) - scene.image().get(x, y, 2));
            }
        }
        return sum / (3.0 * w * h);
    }

    private static String text(Element parent, String tag) {
        return parent.getElementsByTagName(tag).item(0).getTextContent().trim();
    }
}
