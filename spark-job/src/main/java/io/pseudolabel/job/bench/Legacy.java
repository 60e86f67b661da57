package io.pseudolabel.job.bench;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.ClipImageConfig;
import io.pseudolabel.image.ClipImageProcessor;
import io.pseudolabel.image.DinoImageProcessor;
import io.pseudolabel.image.Resampler;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.image.SamImageConfig;
import io.pseudolabel.image.SamImageProcessor;
import io.pseudolabel.image.DinoImageConfig;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.Candidate;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.CocoRle;
import io.pseudolabel.masks.LabeledInstance;
import io.pseudolabel.masks.GroupedMask;
import io.pseudolabel.masks.GroupingConfig;
import io.pseudolabel.masks.InstanceMask;
import io.pseudolabel.masks.PalettePng;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * A frozen copy of the CPU code as it was before the benchmark's optimisations (commit e4d4206), so one
 * bench run can time "before" and "after" side by side on the same images and check that both give the
 * same output. Only the steps that changed are here. The BitMask loops go through BitMask's public
 * {@code get}/{@code set} (the originals used the package-private, unchecked {@code getIndex}/word
 * access), which costs a bounds check per pixel (and in fromLogits a division per on pixel) more than
 * the original did: the "before" numbers of grouping, rle, compose and fromLogits are a little pessimistic.
 */
final class Legacy {
    private Legacy() {}

    // ------------------------------------------------------------------ SamMaskPostprocessor (pixel by pixel)

    static float[] bilinear(float[] src, int sw, int sh, int dw, int dh, int cropW, int cropH) {
        int[] x0 = new int[cropW];
        int[] x1 = new int[cropW];
        float[] fx = new float[cropW];
        axis(sw, dw, cropW, x0, x1, fx);
        int[] y0 = new int[cropH];
        int[] y1 = new int[cropH];
        float[] fy = new float[cropH];
        axis(sh, dh, cropH, y0, y1, fy);
        float[] out = new float[cropW * cropH];
        for (int y = 0; y < cropH; y++) {
            int r0 = y0[y] * sw;
            int r1 = y1[y] * sw;
            float wy = fy[y];
            for (int x = 0; x < cropW; x++) {
                float top = src[r0 + x0[x]] * (1 - fx[x]) + src[r0 + x1[x]] * fx[x];
                float bottom = src[r1 + x0[x]] * (1 - fx[x]) + src[r1 + x1[x]] * fx[x];
                out[y * cropW + x] = top * (1 - wy) + bottom * wy;
            }
        }
        return out;
    }

    private static void axis(int in, int out, int count, int[] i0, int[] i1, float[] frac) {
        double scale = (double) in / out;
        for (int d = 0; d < count; d++) {
            double s = Math.max((d + 0.5) * scale - 0.5, 0.0);
            int lo = Math.min((int) Math.floor(s), in - 1);
            i0[d] = lo;
            i1[d] = Math.min(lo + 1, in - 1);
            frac[d] = (float) (s - lo);
        }
    }

    static float[] toOriginal(float[] lowRes, int resizedW, int resizedH, int width, int height) {
        float[] frame = bilinear(lowRes, 256, 256, 1024, 1024, resizedW, resizedH);
        return bilinear(frame, resizedW, resizedH, width, height, width, height);
    }

    // ------------------------------------------------------------------ Resampler (Pillow-exact)

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    static RgbImage resize(RgbImage src, int width, int height, Resampler.Filter filter) {
        if (width == src.width() && height == src.height()) {
            return new RgbImage(width, height, src.rgb().clone());
        }
        byte[] pixels = src.rgb();
        int curW = src.width();
        int curH = src.height();
        if (width != curW) {
            Coefficients c = Coefficients.compute(curW, width, filter);
            pixels = horizontal(pixels, curW, curH, c);
            curW = width;
        }
        if (height != curH) {
            Coefficients c = Coefficients.compute(curH, height, filter);
            pixels = vertical(pixels, curW, c);
            curH = height;
        }
        return new RgbImage(curW, curH, pixels);
    }

    private static double weight(Resampler.Filter filter, double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (filter == Resampler.Filter.BILINEAR) {
            return x < 1.0 ? 1.0 - x : 0.0;
        }
        final double a = -0.5;
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static final class Coefficients {
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] weights;

        private Coefficients(int ksize, int[] start, int[] count, int[] weights) {
            this.ksize = ksize;
            this.start = start;
            this.count = count;
            this.weights = weights;
        }

        static Coefficients compute(int inSize, int outSize, Resampler.Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = (filter == Resampler.Filter.BILINEAR ? 1.0 : 2.0) * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = weight(filter, (x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                int base = xx * ksize;
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    double f = v * (1 << PRECISION_BITS);
                    weights[base + x] = (int) (v < 0 ? -0.5 + f : 0.5 + f);
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(ksize, start, count, weights);
        }
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    private static byte[] horizontal(byte[] in, int inW, int h, Coefficients c) {
        int outW = c.start.length;
        byte[] out = new byte[outW * h * 3];
        int[] wts = c.weights;
        for (int y = 0; y < h; y++) {
            int rowIn = y * inW * 3;
            int o = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int kb = xx * c.ksize;
                int n = c.count[xx];
                int p = rowIn + c.start[xx] * 3;
                int s0 = HALF;
                int s1 = HALF;
                int s2 = HALF;
                for (int x = 0; x < n; x++, p += 3) {
                    int w = wts[kb + x];
                    s0 += (in[p] & 0xff) * w;
                    s1 += (in[p + 1] & 0xff) * w;
                    s2 += (in[p + 2] & 0xff) * w;
                }
                out[o++] = (byte) clip8(s0);
                out[o++] = (byte) clip8(s1);
                out[o++] = (byte) clip8(s2);
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int w, Coefficients c) {
        int outH = c.start.length;
        int rowLen = w * 3;
        byte[] out = new byte[outH * rowLen];
        int[] wts = c.weights;
        int[] acc = new int[rowLen];
        for (int yy = 0; yy < outH; yy++) {
            java.util.Arrays.fill(acc, HALF);
            int kb = yy * c.ksize;
            int n = c.count[yy];
            int first = c.start[yy];
            for (int y = 0; y < n; y++) {
                int wgt = wts[kb + y];
                int p = (first + y) * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    acc[i] += (in[p + i] & 0xff) * wgt;
                }
            }
            int o = yy * rowLen;
            for (int i = 0; i < rowLen; i++) {
                out[o + i] = (byte) clip8(acc[i]);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ PixelNormalizer + the three processors

    private static final class Normalizer {
        private final float[][] table = new float[3][256];

        Normalizer(boolean doRescale, double rescale, boolean doNormalize, float[] mean, float[] std) {
            for (int c = 0; c < 3; c++) {
                for (int v = 0; v < 256; v++) {
                    float x = doRescale ? (float) (v * rescale) : (float) v;
                    table[c][v] = doNormalize ? (x - mean[c]) / std[c] : x;
                }
            }
        }

        void writeChw(RgbImage img, int x0, int y0, int w, int h, float[] out, int outW, int outH) {
            int plane = outW * outH;
            byte[] rgb = img.rgb();
            int iw = img.width();
            int ih = img.height();
            for (int y = 0; y < h; y++) {
                int sy = y0 + y;
                for (int x = 0; x < w; x++) {
                    int sx = x0 + x;
                    int o = y * outW + x;
                    if (sx < 0 || sy < 0 || sx >= iw || sy >= ih) {
                        out[o] = table[0][0];
                        out[plane + o] = table[1][0];
                        out[2 * plane + o] = table[2][0];
                    } else {
                        int p = (sy * iw + sx) * 3;
                        out[o] = table[0][rgb[p] & 0xff];
                        out[plane + o] = table[1][rgb[p + 1] & 0xff];
                        out[2 * plane + o] = table[2][rgb[p + 2] & 0xff];
                    }
                }
            }
        }
    }

    /** CLIP, Grounding-DINO and SAM preprocessing with the old resampler and normaliser. */
    static final class Processors {
        private final ClipImageProcessor clip;
        private final DinoImageProcessor dino;
        private final SamImageProcessor sam;
        private final Normalizer clipNorm;
        private final Normalizer dinoNorm;
        private final Normalizer samNorm;

        Processors(ClipImageProcessor clip, DinoImageProcessor dino, SamImageProcessor sam) {
            this.clip = clip;
            this.dino = dino;
            this.sam = sam;
            ClipImageConfig c = clip.config();
            clipNorm = new Normalizer(c.doRescale(), c.rescaleFactor(), c.doNormalize(), c.imageMean(), c.imageStd());
            DinoImageConfig d = dino.config();
            dinoNorm = new Normalizer(d.doRescale(), d.rescaleFactor(), d.doNormalize(), d.imageMean(), d.imageStd());
            SamImageConfig s = sam.config();
            samNorm = new Normalizer(s.doRescale(), s.rescaleFactor(), s.doNormalize(), s.imageMean(), s.imageStd());
        }

        float[] clip(RgbImage image) {
            ClipImageConfig config = clip.config();
            int[] size = clip.resizedSize(image.width(), image.height());
            RgbImage resized = config.doResize() ? resize(image, size[0], size[1], config.resample()) : image;
            if (!config.doCenterCrop()) {
                float[] out = new float[3 * resized.width() * resized.height()];
                clipNorm.writeChw(resized, 0, 0, resized.width(), resized.height(), out, resized.width(),
                        resized.height());
                return out;
            }
            int ch = config.cropHeight();
            int cw = config.cropWidth();
            int[] off = ClipImageProcessor.cropOffset(resized.width(), resized.height(), cw, ch);
            float[] out = new float[3 * ch * cw];
            clipNorm.writeChw(resized, off[0], off[1], cw, ch, out, cw, ch);
            return out;
        }

        float[] dino(RgbImage image) {
            int[] t = dino.targetSize(image.width(), image.height());
            RgbImage resized = resize(image, t[0], t[1], dino.config().resample());
            float[] out = new float[3 * t[0] * t[1]];
            dinoNorm.writeChw(resized, 0, 0, t[0], t[1], out, t[0], t[1]);
            return out;
        }

        float[] sam(RgbImage image) {
            int[] s = sam.resizedSize(image.width(), image.height());
            RgbImage r = resize(image, s[0], s[1], sam.config().resample());
            int pw = sam.config().padWidth();
            int ph = sam.config().padHeight();
            float[] out = new float[3 * pw * ph];
            samNorm.writeChw(r, 0, 0, r.width(), r.height(), out, pw, ph);
            return out;
        }
    }

    // ------------------------------------------------------------------ Grouping with the old BitMask loops

    static BitMask clipTo(BitMask m, Box box) {
        int width = m.width();
        int height = m.height();
        int x0 = clampCeil(box.x1() - 0.5, width);
        int x1 = clampCeil(box.x2() - 0.5, width);
        int y0 = clampCeil(box.y1() - 0.5, height);
        int y1 = clampCeil(box.y2() - 0.5, height);
        BitMask out = new BitMask(width, height);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (m.get(x, y)) {
                    out.set(x, y);
                }
            }
        }
        return out;
    }

    private static int clampCeil(double v, int max) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(max, Math.ceil(v)));
    }

    static Optional<Box> bounds(BitMask m) {
        int width = m.width();
        int height = m.height();
        int minX = width, minY = height, maxX = -1, maxY = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (m.get(x, y)) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = y;
                }
            }
        }
        if (maxX < 0) {
            return Optional.empty();
        }
        return Optional.of(new Box(minX, minY, maxX + 1, maxY + 1));
    }

    /** {@code Grouping.select} with WHOLE_OVER_PART, over the old clipTo/bounds. */
    static Optional<GroupedMask> select(GroupingConfig config, Box box, List<Candidate> candidates) {
        record Scored(Candidate candidate, BitMask mask, double ratio, int area) {}
        List<Scored> nonEmpty = new ArrayList<>();
        for (Candidate c : candidates) {
            BitMask m = c.mask();
            BitMask clipped = clipTo(m, box.grow(config.boxMargin()).clip(m.width(), m.height()));
            Optional<Box> bounds = bounds(clipped);
            if (bounds.isPresent()) {
                nonEmpty.add(new Scored(c, clipped, bounds.get().iou(box), clipped.area()));
            }
        }
        Comparator<Scored> largerThenLowerIndex =
                Comparator.comparingInt(Scored::area).reversed().thenComparingInt(s -> s.candidate.index());
        Comparator<Scored> byPredictedIou = Comparator.comparingDouble((Scored s) -> -s.candidate.predictedIou())
                .thenComparing(largerThenLowerIndex);
        List<Scored> eligible = nonEmpty.stream().filter(s -> s.ratio >= config.minBoxIou()).toList();
        if (eligible.isEmpty()) {
            return Optional.empty();
        }
        double best = eligible.stream().mapToDouble(Scored::ratio).max().orElseThrow();
        List<Scored> contenders = eligible.stream()
                .filter(s -> best - s.ratio < config.nearTie() || best - s.ratio <= 1e-6)
                .toList();
        Scored winner = contenders.stream().min(config.nearTie() > 0 ? byPredictedIou : largerThenLowerIndex)
                .orElseThrow();
        return Optional.of(new GroupedMask(winner.candidate.index(), winner.mask, (float) winner.ratio,
                winner.candidate.predictedIou()));
    }

    // ------------------------------------------------------------------ CocoRle.encode, LabeledInstance.of

    static int[] encodeCounts(BitMask mask) {
        int h = mask.height();
        int w = mask.width();
        int[] counts = new int[h * w + 1];
        int k = 0;
        int run = 0;
        boolean current = false;
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                boolean on = mask.get(x, y);
                if (on != current) {
                    counts[k++] = run;
                    run = 0;
                    current = on;
                }
                run++;
            }
        }
        counts[k++] = run;
        return java.util.Arrays.copyOf(counts, k);
    }

    static LabeledInstance instance(int classId, String name, Box box, float detScore, GroupedMask grouped) {
        BitMask m = grouped.mask();
        return new LabeledInstance(classId, name, box, detScore, grouped.predictedIou(), grouped.candidate(),
                new CocoRle.Rle(m.height(), m.width(), CocoRle.compress(encodeCounts(m))));
    }

    // ------------------------------------------------------------------ BitMask.fromLogits

    static BitMask fromLogits(float[] logits, int width, int height, float threshold) {
        BitMask m = new BitMask(width, height);
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] > threshold) {
                m.set(i % width, i / width);
            }
        }
        return m;
    }

    // ------------------------------------------------------------------ SemanticComposer (smaller on top)

    static ClassMap compose(int width, int height, List<InstanceMask> instances) {
        byte[] ids = new byte[width * height];
        record Ranked(InstanceMask instance, int area, int order) {}
        List<Ranked> ranked = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            ranked.add(new Ranked(instances.get(i), instances.get(i).mask().area(), i));
        }
        Comparator<Ranked> winnerFirst = Comparator.comparingInt(Ranked::area)
                .thenComparing(Comparator.comparingDouble((Ranked r) -> -r.instance.score()))
                .thenComparing(Comparator.comparingInt(Ranked::order));
        ranked.sort(winnerFirst.reversed());
        for (Ranked r : ranked) {
            BitMask m = r.instance.mask();
            byte id = (byte) r.instance.classId();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (m.get(x, y)) {
                        ids[y * width + x] = id;
                    }
                }
            }
        }
        return new ClassMap(width, height, ids);
    }

    // ------------------------------------------------------------------ PalettePng through ImageIO

    private static final IndexColorModel VOC = vocColorModel();

    static byte[] png(ClassMap map) {
        BufferedImage image = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_BYTE_INDEXED, VOC);
        image.getRaster().setDataElements(0, 0, map.width(), map.height(), map.ids());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static IndexColorModel vocColorModel() {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int[] c = PalettePng.vocColor(i);
            r[i] = (byte) c[0];
            g[i] = (byte) c[1];
            b[i] = (byte) c[2];
        }
        return new IndexColorModel(8, 256, r, g, b);
    }
}
