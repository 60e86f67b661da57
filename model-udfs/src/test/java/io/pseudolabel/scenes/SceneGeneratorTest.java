package io.pseudolabel.scenes;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.ClassMap;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneGeneratorTest {

    private static final FixtureWorld WORLD = FixtureWorld.load();

    @Test
    void worldJsonIsReadInOrder() {
        assertEquals(List.of("cat", "dog", "car", "bird", "boat", "potted plant"), WORLD.classNames());
        assertEquals(new FixtureWorld.ClassDef("cat", 220, 40, 40), WORLD.classOf(1));
        assertEquals(new FixtureWorld.ClassDef("potted plant", 30, 200, 210), WORLD.classOf(6));
        assertEquals(0.7, WORLD.partShade());
        assertEquals(0.45, WORLD.subpartShade());
        assertEquals(90, WORLD.backgroundGreyMin());
        assertEquals(170, WORLD.backgroundGreyMax());
        assertEquals(12, WORLD.backgroundJitter());
        // cat part: 220*0.7 = 154, 40*0.7 = 28; subpart: 220*0.45 = 99, 40*0.45 = 18.
        assertArrayEquals(new int[] {154, 28, 28}, WORLD.shaded(1, WORLD.partShade()));
        assertArrayEquals(new int[] {99, 18, 18}, WORLD.shaded(1, WORLD.subpartShade()));
    }

    @Test
    void sameSeedSameScenesWhateverTheOrder() {
        SceneGenerator a = new SceneGenerator(WORLD, 42);
        SceneGenerator b = new SceneGenerator(WORLD, 42);
        Scene a5 = a.scene(5);
        b.scene(0);
        b.scene(9);
        Scene b5 = b.scene(5);
        assertEquals("scene_000005", a5.id());
        assertArrayEquals(a5.image().rgb(), b5.image().rgb());
        assertEquals(a5.truth(), b5.truth());
        assertEquals(a5.objects(), b5.objects());
        assertFalse(Arrays.equals(a5.image().rgb(), new SceneGenerator(WORLD, 43).scene(5).image().rgb()));
        assertNotEquals(a5.truth(), a.scene(6).truth());
    }

    @Test
    void scenesVaryInSizeCountAndClass() {
        SceneGenerator gen = new SceneGenerator(WORLD, 1);
        Set<String> sizes = new HashSet<>();
        Set<Integer> counts = new HashSet<>();
        Set<Integer> classes = new HashSet<>();
        Set<Class<?>> shapes = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Scene s = gen.scene(i);
            sizes.add(s.image().width() + "x" + s.image().height());
            counts.add(s.objects().size());
            s.objects().forEach(o -> classes.add(o.classId()));
            s.objects().forEach(o -> shapes.add(o.shape().getClass()));
        }
        assertEquals(Set.of("320x240", "240x320", "288x288", "400x300"), sizes);
        assertEquals(Set.of(1, 2, 3), counts);
        assertEquals(Set.of(1, 2, 3, 4, 5, 6), classes);
        assertEquals(Set.of(ObjectShape.Ellipse.class, ObjectShape.RoundedRect.class), shapes);
    }

    @Test
    void groundTruthMatchesPixelsObjectsAndBoxes() {
        SceneGenerator gen = new SceneGenerator(WORLD, 7);
        for (int i = 0; i < 25; i++) {
            Scene s = gen.scene(i);
            RgbImage img = s.image();
            ClassMap gt = s.truth();
            int w = img.width(), h = img.height();
            BitMask union = new BitMask(w, h);
            for (SceneObject o : s.objects()) {
                assertEquals(WORLD.classOf(o.classId()).name(), o.name());
                // masks nest and are disjoint from earlier objects' visible pixels
                assertEquals(o.subpart(), o.subpart().and(o.part()));
                assertEquals(o.part(), o.part().and(o.visible()));
                assertTrue(union.and(o.visible()).isEmpty());
                union = union.or(o.visible());
                assertEquals(o.visible(), o.visible().and(BitMask.fromClassMap(gt.ids(), w, h, o.classId())));
                // the box is the visible pixels' box, at least half the object is visible
                assertEquals(o.visible().bounds().orElseThrow(), o.box());
                assertTrue(o.visible().area() >= SceneGenerator.MIN_VISIBLE * o.drawnArea());
                if (o.visible().area() == o.drawnArea()) {
                    assertFalse(o.subpart().isEmpty(), "an uncovered object shows its subpart");
                }
                // the whole shape lies in the central square
                int side = Math.min(w, h);
                Box ext = o.shape().extent();
                assertTrue(ext.x1() >= (w - side) / 2f - 1e-3 && ext.x2() <= (w + side) / 2f + 1e-3, ext.toString());
                assertTrue(ext.y1() >= (h - side) / 2f - 1e-3 && ext.y2() <= (h + side) / 2f + 1e-3, ext.toString());
                assertTrue(ext.width() >= 0.25f * side - 1e-3 && ext.width() <= 0.5f * side + 1e-3);
                // every pixel has its role's colour
                int[] body = WORLD.shaded(o.classId(), 1.0);
                int[] part = WORLD.shaded(o.classId(), WORLD.partShade());
                int[] sub = WORLD.shaded(o.classId(), WORLD.subpartShade());
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (o.visible().get(x, y)) {
                            int[] expected = o.subpart().get(x, y) ? sub : o.part().get(x, y) ? part : body;
                            assertArrayEquals(expected, rgb(img, x, y), "pixel " + x + "," + y + " of " + s.id());
                        }
                    }
                }
            }
            // every non-object pixel is background: id 0, grey within range+jitter, low saturation
            assertEquals(BitMask.fromClassMap(gt.ids(), w, h, 0), invert(union));
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (!union.get(x, y)) {
                        int[] c = rgb(img, x, y);
                        int max = Math.max(c[0], Math.max(c[1], c[2]));
                        int min = Math.min(c[0], Math.min(c[1], c[2]));
                        assertTrue(min >= 90 - 12 && max <= 170 + 12, s.id() + " " + x + "," + y);
                        assertTrue(max - min <= 8, s.id() + " " + x + "," + y); // 2 * per-channel jitter 4
                        assertTrue((max - min) / (double) max < WORLD.minSaturation());
                    }
                }
            }
        }
    }

    @Test
    void partIsTheTopOfTheObject() {
        // A scene whose first object is fully visible: the part's rows are the top 45% of the shape.
        SceneGenerator gen = new SceneGenerator(WORLD, 7);
        for (int i = 0; i < 25; i++) {
            for (SceneObject o : gen.scene(i).objects()) {
                if (o.visible().area() != o.drawnArea()) {
                    continue;
                }
                Box all = o.box();
                Box part = o.part().bounds().orElseThrow();
                Box ext = o.shape().extent();
                double cut = ext.y1() + 0.45 * ext.height();
                assertEquals(all.y1(), part.y1());
                assertTrue(part.y2() - 0.5 < cut && part.y2() + 0.5 >= cut, part + " vs cut " + cut);
                assertFalse(o.subpart().isEmpty());
                return;
            }
        }
        throw new AssertionError("no fully visible object in 25 scenes");
    }

    private static int[] rgb(RgbImage img, int x, int y) {
        return new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
    }

    private static BitMask invert(BitMask m) {
        BitMask all = BitMask.ofBox(m.width(), m.height(), new Box(0, 0, m.width(), m.height()));
        return all.andNot(m);
    }

    @Test
    void fixedSizeAndObjectCount() {
        SceneGenerator gen = new SceneGenerator(WORLD, 3).withSize(640, 480).withObjects(3);
        for (int i = 0; i < 6; i++) {
            Scene s = gen.scene(i);
            assertEquals(640, s.image().width());
            assertEquals(480, s.image().height());
            assertEquals(3, s.objects().size());
            for (SceneObject o : s.objects()) {
                assertTrue(o.visible().area() >= SceneGenerator.MIN_VISIBLE * o.drawnArea());
            }
        }
        assertArrayEquals(gen.scene(2).image().rgb(), gen.scene(2).image().rgb());
        // fixed expected values, not a second generator: any change to how scenes are drawn shows here (and
        // then in the fixture models' tests, which were measured on these scenes)
        assertEquals(FIXED_640X480_3_SCENE_2, describe(gen.scene(2)));
        // the default generator is untouched by the options
        assertEquals(DEFAULT_SEED_3_SCENE_1, describe(new SceneGenerator(WORLD, 3).scene(1)));
    }

    /** Recorded from the generator at issue 16 (seed 3); update only with a deliberate change to scene drawing. */
    static final String FIXED_640X480_3_SCENE_2 = "640x480 rgb 2dfd4b369b56571f truth d897ce809e8a3f7c; "
            + "dog Box[x1=194.0, y1=328.0, x2=349.0, y2=473.0]; cat Box[x1=146.0, y1=108.0, x2=374.0, y2=285.0]; "
            + "dog Box[x1=378.0, y1=108.0, x2=545.0, y2=269.0]";
    static final String DEFAULT_SEED_3_SCENE_1 = "400x300 rgb 430eabc626112d7c truth f0ba955064b75f40; "
            + "boat Box[x1=62.0, y1=133.0, x2=147.0, y2=213.0]; car Box[x1=103.0, y1=80.0, x2=241.0, y2=178.0]";

    /** Size, SHA-256 of the pixels and of the truth map, and every object's class and box. */
    static String describe(Scene s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String rgb = HexFormat.of().formatHex(md.digest(s.image().rgb())).substring(0, 16);
            byte[] ids = s.truth().ids();
            String truth = HexFormat.of().formatHex(md.digest(ids)).substring(0, 16);
            StringBuilder b = new StringBuilder(s.image().width() + "x" + s.image().height() + " rgb " + rgb
                    + " truth " + truth);
            for (SceneObject o : s.objects()) {
                b.append("; ").append(o.name()).append(' ').append(o.box());
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void faintObjectsChangeOnlyObjectColoursTowardGrey() {
        SceneGenerator plain = new SceneGenerator(WORLD, 5);
        SceneGenerator faint = plain.withFaintObjects(1.0);
        int paler = 0;
        for (int i = 0; i < 6; i++) {
            Scene a = plain.scene(i);
            Scene b = faint.scene(i);
            // same layout, truth and background
            assertArrayEquals(a.truth().ids(), b.truth().ids());
            byte[] x = a.image().rgb();
            byte[] y = b.image().rgb();
            for (int p = 0; p < a.truth().ids().length; p++) {
                for (int c = 0; c < 3; c++) {
                    int u = x[p * 3 + c] & 0xFF;
                    int v = y[p * 3 + c] & 0xFF;
                    if (a.truth().ids()[p] == 0) {
                        assertEquals(u, v);
                    } else {
                        // closer to grey 128, by a factor in [MIN_FAINT_ALPHA, MAX_FAINT_ALPHA]
                        assertTrue(Math.abs(v - 128) <= Math.abs(u - 128), u + " -> " + v);
                        paler += Math.abs(v - 128) < Math.abs(u - 128) ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(paler > 0);
        // share 0 draws exactly the plain scenes
        assertArrayEquals(plain.scene(3).image().rgb(), plain.withFaintObjects(0).scene(3).image().rgb());
    }
}
