package io.pseudolabel.scenes;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.ClassMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws deterministic synthetic scenes for tests and the demo: saturated flat-coloured objects (with a
 * darker part and a darker subpart) on a low-saturation grey texture, with exact ground truth.
 *
 * <p>Scene {@code i} depends only on the seed and {@code i}, never on which scenes were drawn before,
 * and all floating point goes through {@link StrictMath}, so the pixels are the same on every JVM.
 */
public final class SceneGenerator {

    /** Image sizes as {width, height}: landscape, portrait, square, and a larger landscape. */
    public static final List<int[]> SIZES = List.of(
            new int[] {320, 240}, new int[] {240, 320}, new int[] {288, 288}, new int[] {400, 300});

    /** Objects per scene: 1..3. */
    public static final int MAX_OBJECTS = 3;
    /** Object width and height, as fractions of the image's short side. */
    public static final double MIN_SIZE = 0.25, MAX_SIZE = 0.5;
    /** The part is the top {@value} of the object. */
    public static final double PART_FRACTION = 0.45;
    /** Every object keeps at least this fraction of its pixels visible, so the detector can find it. */
    public static final double MIN_VISIBLE = 0.5;

    private static final int MAX_LAYOUT_TRIES = 12;
    /** With a fixed object count the layout is redrawn up to this many times. */
    private static final int MAX_FIXED_COUNT_TRIES = 500;

    private final FixtureWorld world;
    private final long seed;
    /** {width, height} for every scene, or null for one of {@link #SIZES} per scene. */
    private final int[] fixedSize;
    /** Objects in every scene, or 0 for 1..{@link #MAX_OBJECTS} per scene. */
    private final int fixedObjects;
    /** Share of objects drawn faint (see {@link #withFaintObjects}); 0 for none. */
    private final double faintShare;

    /** The palest a faint object gets: its colour blended this far toward grey 128 (see {@link #withFaintObjects}). */
    public static final double MIN_FAINT_ALPHA = 0.3;
    /** The least pale a faint object gets. */
    public static final double MAX_FAINT_ALPHA = 0.8;

    public SceneGenerator(FixtureWorld world, long seed) {
        this(world, seed, null, 0, 0);
    }

    private SceneGenerator(FixtureWorld world, long seed, int[] fixedSize, int fixedObjects, double faintShare) {
        this.world = world;
        this.seed = seed;
        this.fixedSize = fixedSize;
        this.fixedObjects = fixedObjects;
        this.faintShare = faintShare;
    }

    /**
     * The same generator with about {@code share} of the objects drawn faint: low contrast, their colours blended
     * toward grey 128 by a factor alpha drawn uniformly in [{@value #MIN_FAINT_ALPHA}, {@value #MAX_FAINT_ALPHA}]
     * (colour = 128 + alpha * (colour - 128)), the graded errors a real detector and segmenter are less sure of.
     * Which objects are faint and how faint comes from a stream of its own, so layouts, sizes and every other
     * pixel are those of the generator without faint objects.
     */
    public SceneGenerator withFaintObjects(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("faint share must be in [0,1]: " + share);
        }
        return new SceneGenerator(world, seed, fixedSize, fixedObjects, share);
    }

    /**
     * The same generator with every scene drawn at {@code width x height} (benchmarks want one size).
     * The random stream is consumed as before, so only the size differs from the default scene.
     */
    public SceneGenerator withSize(int width, int height) {
        if (width < 16 || height < 16) {
            throw new IllegalArgumentException("scene size must be at least 16x16: " + width + "x" + height);
        }
        return new SceneGenerator(world, seed, new int[] {width, height}, fixedObjects, faintShare);
    }

    /** The same generator with exactly {@code count} objects (1..{@link #MAX_OBJECTS}) in every scene. */
    public SceneGenerator withObjects(int count) {
        if (count < 1 || count > MAX_OBJECTS) {
            throw new IllegalArgumentException("objects per scene must be 1.." + MAX_OBJECTS + ": " + count);
        }
        return new SceneGenerator(world, seed, fixedSize, count, faintShare);
    }

    public FixtureWorld world() {
        return world;
    }

    public static String sceneId(int index) {
        return String.format("scene_%06d", index);
    }

    public Scene scene(int index) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, index));
        int[] size = SIZES.get(rnd.nextInt(SIZES.size()));
        if (fixedSize != null) {
            size = fixedSize;
        }
        int w = size[0], h = size[1];
        byte[] rgb = background(w, h, rnd);

        Layout layout = null;
        int tries = fixedObjects > 0 ? MAX_FIXED_COUNT_TRIES : MAX_LAYOUT_TRIES;
        for (int attempt = 0; attempt < tries && layout == null; attempt++) {
            int count;
            if (fixedObjects > 0) {
                count = fixedObjects;
            } else {
                // The last try draws a single object, which is always fully visible.
                count = attempt == MAX_LAYOUT_TRIES - 1 ? 1 : 1 + rnd.nextInt(MAX_OBJECTS);
            }
            layout = render(w, h, drawObjects(w, h, count, rnd));
        }
        if (layout == null) {
            throw new IllegalStateException("no layout of " + fixedObjects + " objects with each at least "
                    + MIN_VISIBLE + " visible in " + w + "x" + h + " after " + tries + " tries (scene " + index + ")");
        }
        double[] alpha = faintAlphas(index, layout.drawn.size());
        byte[] ids = new byte[w * h];
        for (int i = 0; i < ids.length; i++) {
            int owner = layout.owner[i];
            if (owner == 0) {
                continue;
            }
            Drawn d = layout.drawn.get(owner - 1);
            ids[i] = (byte) d.classId;
            int[] c = faint(colour(d.classId, layout.role[i]), alpha[owner - 1]);
            rgb[i * 3] = (byte) c[0];
            rgb[i * 3 + 1] = (byte) c[1];
            rgb[i * 3 + 2] = (byte) c[2];
        }
        return new Scene(sceneId(index), new RgbImage(w, h, rgb), new ClassMap(w, h, ids), objects(w, h, layout));
    }

    // ---------------------------------------------------------------------------------------------
    // Background: a grey level in the world's range, smooth blotches and a stripe wave on top, then
    // per-pixel jitter. Two thirds of the jitter is shared by the three channels and one third is
    // per channel, so channels differ by at most 2/3 of the jitter and the texture stays nearly grey
    // (for the bundled world: saturation <= 8/78, well under min_saturation).

    private byte[] background(int w, int h, SplittableRandom rnd) {
        int lo = world.backgroundGreyMin();
        int hi = world.backgroundGreyMax();
        double base = lo + (hi - lo) * (0.3 + 0.4 * rnd.nextDouble());
        double shortSide = Math.min(w, h);

        double stripeAmp = 4 + 8 * rnd.nextDouble();
        double stripePeriod = 24 + 72 * rnd.nextDouble();
        double angle = StrictMath.PI * rnd.nextDouble();
        double phase = 2 * StrictMath.PI * rnd.nextDouble();
        double ux = StrictMath.cos(angle) / stripePeriod * 2 * StrictMath.PI;
        double uy = StrictMath.sin(angle) / stripePeriod * 2 * StrictMath.PI;

        int blobs = 3 + rnd.nextInt(4);
        double[] bx = new double[blobs], by = new double[blobs], bAmp = new double[blobs], bInv = new double[blobs];
        for (int k = 0; k < blobs; k++) {
            bx[k] = w * rnd.nextDouble();
            by[k] = h * rnd.nextDouble();
            bAmp[k] = -30 + 60 * rnd.nextDouble();
            double sigma = shortSide * (0.08 + 0.22 * rnd.nextDouble());
            bInv[k] = 1.0 / (2 * sigma * sigma);
        }

        int jitter = world.backgroundJitter();
        int perChannel = jitter / 3;
        int shared = jitter - perChannel;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = base + stripeAmp * StrictMath.sin(ux * x + uy * y + phase);
                for (int k = 0; k < blobs; k++) {
                    double dx = x - bx[k], dy = y - by[k];
                    v += bAmp[k] * StrictMath.exp(-(dx * dx + dy * dy) * bInv[k]);
                }
                int grey = (int) Math.max(lo, Math.min(hi, Math.round(v)));
                int common = grey + rnd.nextInt(-shared, shared + 1);
                int i = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    rgb[i + c] = (byte) Math.max(0, Math.min(255, common + rnd.nextInt(-perChannel, perChannel + 1)));
                }
            }
        }
        return rgb;
    }

    // ---------------------------------------------------------------------------------------------
    // Objects: placed wholly inside the central square (what a centre crop keeps), later ones on top.

    private List<Drawn> drawObjects(int w, int h, int count, SplittableRandom rnd) {
        double side = Math.min(w, h);
        double sqx = (w - side) / 2.0, sqy = (h - side) / 2.0;
        List<Drawn> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int classId = 1 + rnd.nextInt(world.classes().size());
            double ow = side * (MIN_SIZE + (MAX_SIZE - MIN_SIZE) * rnd.nextDouble());
            double oh = side * (MIN_SIZE + (MAX_SIZE - MIN_SIZE) * rnd.nextDouble());
            double left = sqx + (side - ow) * rnd.nextDouble();
            double top = sqy + (side - oh) * rnd.nextDouble();
            ObjectShape shape = rnd.nextBoolean()
                    ? new ObjectShape.Ellipse(left + ow / 2, top + oh / 2, ow / 2, oh / 2)
                    : new ObjectShape.RoundedRect(left, top, left + ow, top + oh,
                            Math.min(ow, oh) * (0.1 + 0.2 * rnd.nextDouble()));
            double subX = left + ow / 2 + ow * 0.1 * (2 * rnd.nextDouble() - 1);
            double subY = top + oh * 0.25;
            double subR = Math.min(ow, oh) * 0.1;
            out.add(new Drawn(classId, shape, left, top, left + ow, top + oh,
                    top + oh * PART_FRACTION, subX, subY, subR));
        }
        return out;
    }

    private static final byte BODY = 0, PART = 1, SUBPART = 2;

    /** Paints the objects into owner/role arrays; null when some object is mostly covered. */
    private static Layout render(int w, int h, List<Drawn> drawn) {
        int[] owner = new int[w * h];
        byte[] role = new byte[w * h];
        int[] drawnArea = new int[drawn.size()];
        for (int k = 0; k < drawn.size(); k++) {
            Drawn d = drawn.get(k);
            int x0 = Math.max(0, (int) Math.floor(d.left)), x1 = Math.min(w, (int) Math.ceil(d.right));
            int y0 = Math.max(0, (int) Math.floor(d.top)), y1 = Math.min(h, (int) Math.ceil(d.bottom));
            for (int y = y0; y < y1; y++) {
                double py = y + 0.5;
                for (int x = x0; x < x1; x++) {
                    double px = x + 0.5;
                    if (!d.shape.contains(px, py)) {
                        continue;
                    }
                    int i = y * w + x;
                    owner[i] = k + 1;
                    role[i] = d.roleAt(px, py);
                    drawnArea[k]++;
                }
            }
        }
        int[] visible = new int[drawn.size()];
        for (int o : owner) {
            if (o > 0) {
                visible[o - 1]++;
            }
        }
        for (int k = 0; k < drawn.size(); k++) {
            if (visible[k] == 0 || visible[k] < MIN_VISIBLE * drawnArea[k]) {
                return null;
            }
        }
        return new Layout(drawn, owner, role, drawnArea);
    }

    private List<SceneObject> objects(int w, int h, Layout layout) {
        List<SceneObject> out = new ArrayList<>();
        for (int k = 0; k < layout.drawn.size(); k++) {
            BitMask visible = new BitMask(w, h), part = new BitMask(w, h), subpart = new BitMask(w, h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    if (layout.owner[i] != k + 1) {
                        continue;
                    }
                    visible.set(x, y);
                    if (layout.role[i] >= PART) {
                        part.set(x, y);
                    }
                    if (layout.role[i] == SUBPART) {
                        subpart.set(x, y);
                    }
                }
            }
            Drawn d = layout.drawn.get(k);
            Box box = visible.bounds().orElseThrow();
            out.add(new SceneObject(d.classId, world.classOf(d.classId).name(), d.shape, box,
                    visible, part, subpart, layout.drawnArea[k]));
        }
        return out;
    }

    private int[] colour(int classId, byte role) {
        return switch (role) {
            case PART -> world.shaded(classId, world.partShade());
            case SUBPART -> world.shaded(classId, world.subpartShade());
            default -> world.shaded(classId, 1.0);
        };
    }

    /** Each object's alpha: 1 (full colour) or, for a faint one, in [MIN_FAINT_ALPHA, MAX_FAINT_ALPHA]. */
    private double[] faintAlphas(int index, int objects) {
        double[] a = new double[objects];
        Arrays.fill(a, 1.0);
        if (faintShare > 0) {
            SplittableRandom rnd = new SplittableRandom(mix(seed ^ 0x6661696E74L, index)); // "faint"
            for (int k = 0; k < objects; k++) {
                boolean isFaint = rnd.nextDouble() < faintShare;
                double alpha = MIN_FAINT_ALPHA + (MAX_FAINT_ALPHA - MIN_FAINT_ALPHA) * rnd.nextDouble();
                if (isFaint) {
                    a[k] = alpha;
                }
            }
        }
        return a;
    }

    private static int[] faint(int[] rgb, double alpha) {
        if (alpha == 1.0) {
            return rgb;
        }
        int[] out = new int[3];
        for (int c = 0; c < 3; c++) {
            out[c] = (int) Math.round(128 + alpha * (rgb[c] - 128));
        }
        return out;
    }

    /** SplitMix64's finaliser over seed and index, so neighbouring indices get unrelated streams. */
    private static long mix(long seed, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record Drawn(int classId, ObjectShape shape, double left, double top, double right, double bottom,
            double partBottom, double subX, double subY, double subR) {

        byte roleAt(double px, double py) {
            if (py >= partBottom) {
                return BODY;
            }
            double dx = px - subX, dy = py - subY;
            return dx * dx + dy * dy <= subR * subR ? SUBPART : PART;
        }
    }

    private record Layout(List<Drawn> drawn, int[] owner, byte[] role, int[] drawnArea) {}
}
