package io.pseudolabel.job.bench;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.ClipImageProcessor;
import io.pseudolabel.image.DinoImageProcessor;
import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.image.Sam2ImageProcessor;
import io.pseudolabel.image.SamImageProcessor;
import io.pseudolabel.job.label.LabelPartition;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.Candidate;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.GroupedMask;
import io.pseudolabel.masks.Grouping;
import io.pseudolabel.masks.InstanceMask;
import io.pseudolabel.masks.LabeledInstance;
import io.pseudolabel.masks.OverlapRule;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.masks.SemanticComposer;
import io.pseudolabel.sam.Sam2Geometry;
import io.pseudolabel.sam.SamFormat;
import io.pseudolabel.sam.SamMaskPostprocessor;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.SceneObject;
import io.pseudolabel.scenes.VocSceneWriter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scenario 1: the CPU work per image that is not a model, single-threaded, on 640x480 JPEG scenes with
 * three objects. The steps are the ones {@code PseudoLabeler.prepare} and {@code label} run around the
 * models, with the reference processors' default configs (CLIP 224 bicubic + crop, Grounding-DINO
 * shortest edge 800 / longest 1333 bilinear, SAM longest side 1024 padded CHW) and the HF SAM decoder's
 * output (3 candidates of 256x256 logits per box, post-processed here). The "model outputs" are made
 * from each scene's ground truth (+8 inside, -8 outside), before timing. SAM 2.1's two steps are timed on
 * the same images with each export family's geometry as its fixture directory defines it (the image
 * stretched to 1024x1024; 3 candidates of 256x256 logits over the stretched frame, upsampled and thresholded).
 */
final class CpuScenario {
    static final String ID = "cpu";
    static final int WIDTH = 640, HEIGHT = 480, OBJECTS = 3;
    static final double BUDGET_MS = 50;

    /** The timed steps, in pipeline order. */
    static final List<String> STEPS = List.of("decode", "clip-preprocess", "dino-preprocess", "sam-preprocess",
            "sam-postprocess", "grouping", "rle", "compose", "png", "sha256");

    private final int images;
    private final int repeats;
    private final Path models;

    /** @param models the fixture models directory: its {@code sam2-hf/} and {@code sam2-samexporter/} are timed */
    CpuScenario(int images, int repeats, Path models) {
        this.images = Math.max(1, images);
        this.repeats = Math.max(1, repeats);
        this.models = models;
    }

    /**
     * One image's inputs: the JPEG bytes, and the low-res SAM logits [box][candidate] for its boxes, over SAM 1's
     * padded frame ({@code lowRes}) and over SAM 2.1's stretched frame ({@code lowRes2}).
     */
    record Input(byte[] jpeg, List<Box> boxes, List<Integer> classIds, float[][][] lowRes, float[][][] lowRes2) {}

    static List<Input> inputs(int count) {
        SceneGenerator gen = new SceneGenerator(FixtureWorld.load(), 2024L).withSize(WIDTH, HEIGHT).withObjects(OBJECTS);
        List<Input> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scene s = gen.scene(i);
            byte[] jpeg = VocSceneWriter.jpeg(s.image(), VocSceneWriter.JPEG_QUALITY);
            List<Box> boxes = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            float[][][] low = new float[s.objects().size()][][];
            float[][][] low2 = new float[s.objects().size()][][];
            for (int k = 0; k < s.objects().size(); k++) {
                SceneObject o = s.objects().get(k);
                boxes.add(o.box());
                ids.add(o.classId());
                // HF boxes-revision order: subpart, part, whole
                low[k] = new float[][] {lowResLogits(o.subpart()), lowResLogits(o.part()), lowResLogits(o.visible())};
                low2[k] = new float[][] {stretchedLogits(o.subpart()), stretchedLogits(o.part()),
                    stretchedLogits(o.visible())};
            }
            out.add(new Input(jpeg, boxes, ids, low, low2));
        }
        return out;
    }

    /** A mask as SAM's 256x256 low-res logits over the padded 1024 frame: +8 inside, -8 outside. */
    static float[] lowResLogits(BitMask mask) {
        int w = mask.width(), h = mask.height();
        double scale = (double) SamMaskPostprocessor.FRAME / Math.max(w, h);
        float[] out = new float[SamMaskPostprocessor.LOW_RES * SamMaskPostprocessor.LOW_RES];
        for (int j = 0; j < SamMaskPostprocessor.LOW_RES; j++) {
            for (int i = 0; i < SamMaskPostprocessor.LOW_RES; i++) {
                int x = (int) ((4 * i + 2) / scale);
                int y = (int) ((4 * j + 2) / scale);
                boolean on = x < w && y < h && mask.get(x, y);
                out[j * SamMaskPostprocessor.LOW_RES + i] = on ? 8f : -8f;
            }
        }
        return out;
    }

    /** A mask as SAM 2.1's 256x256 low-res logits over the stretched 1024x1024 frame: +8 inside, -8 outside. */
    static float[] stretchedLogits(BitMask mask) {
        int w = mask.width(), h = mask.height();
        int n = SamMaskPostprocessor.LOW_RES;
        float[] out = new float[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                int x = (int) ((4 * i + 2) * (double) w / SamMaskPostprocessor.FRAME);
                int y = (int) ((4 * j + 2) * (double) h / SamMaskPostprocessor.FRAME);
                out[j * n + i] = mask.get(x, y) ? 8f : -8f;
            }
        }
        return out;
    }

    private final ImageDecoder decoder = new ImageDecoder(100_000_000L);
    private final ClipImageProcessor clip = new ClipImageProcessor();
    private final DinoImageProcessor dino = new DinoImageProcessor();
    private final SamImageProcessor sam = new SamImageProcessor();
    private final Grouping grouping = new Grouping();

    private static final ThreadMXBean THREADS =
            ManagementFactory.getThreadMXBean();

    /**
     * CPU time of this thread in ns: what the steps cost, whatever else the machine runs at the same time
     * (wall time on a loaded machine also counts the time the thread waited for a core).
     */
    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Runs every step once on {@code in}, adding each step's nanoseconds to {@code nanos}. */
    void once(Input in, long[] nanos) {
        long t0 = cpu();
        RgbImage image;
        try {
            image = decoder.decode(in.jpeg(), "bench.jpg");
        } catch (ImageDecodeException e) {
            throw new IllegalStateException(e);
        }
        long t1 = cpu();
        float[] c = clip.pixelValues(image);
        long t2 = cpu();
        float[] d = dino.pixelValues(image);
        long t3 = cpu();
        float[] s = sam.paddedPixelValues(image);
        long t4 = cpu();
        int w = image.width(), h = image.height();
        int[] resized = SamImageProcessor.resizedSize(w, h, SamMaskPostprocessor.FRAME);
        float[] iou = {0.80f, 0.95f, 0.86f};
        List<List<Candidate>> candidates = new ArrayList<>();
        for (float[][] perBox : in.lowRes()) {
            List<Candidate> cs = new ArrayList<>();
            for (int k = 0; k < perBox.length; k++) {
                float[] full = SamMaskPostprocessor.toOriginal(perBox[k], resized[0], resized[1], w, h);
                // the labeler's path: the mask and its stability score from the same full-size logits
                cs.add(new Candidate(k, BitMask.fromLogits(full, w, h, 0f), iou[k], null,
                        Candidate.stability(full, 0f)));
            }
            candidates.add(cs);
        }
        long t5 = cpu();
        List<GroupedMask> kept = new ArrayList<>();
        List<Integer> keptIds = new ArrayList<>();
        List<Box> keptBoxes = new ArrayList<>();
        for (int b = 0; b < in.boxes().size(); b++) {
            Optional<GroupedMask> g = grouping.select(in.boxes().get(b), candidates.get(b));
            if (g.isPresent()) {
                kept.add(g.get());
                keptIds.add(in.classIds().get(b));
                keptBoxes.add(in.boxes().get(b));
            }
        }
        long t6 = cpu();
        List<LabeledInstance> instances = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            instances.add(LabeledInstance.of(keptIds.get(i), "c" + keptIds.get(i), keptBoxes.get(i), 1f, kept.get(i)));
        }
        long t7 = cpu();
        List<InstanceMask> layers = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            layers.add(new InstanceMask(keptIds.get(i), 1f, kept.get(i).mask()));
        }
        ClassMap semantic = SemanticComposer.compose(w, h, layers, OverlapRule.SMALLER_ON_TOP);
        long t8 = cpu();
        byte[] png = PalettePng.write(semantic);
        long t9 = cpu();
        String sha = LabelPartition.sha256(in.jpeg());
        long t10 = cpu();
        long[] t = {t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10};
        for (int i = 0; i < STEPS.size(); i++) {
            nanos[i] += t[i + 1] - t[i];
        }
        if (sha.isEmpty() || c.length == 0 || d.length == 0 || s.length == 0 || instances.isEmpty() || png.length == 0) {
            throw new IllegalStateException("bench cpu: a step produced nothing");
        }
    }

    /** Medians per step (ms per image); "total" is the median of the per-image sums. */
    record Timings(Map<String, Double> steps, double wall) {}

    /** Times every step on every image, {@code repeats} times, after {@code warmups} passes. */
    Timings measure(List<Input> in, int warmups) {
        for (int w = 0; w < warmups; w++) {
            for (Input i : in) {
                once(i, new long[STEPS.size()]);
            }
        }
        int n = in.size() * repeats;
        double[][] steps = new double[STEPS.size()][n];
        double[] total = new double[n];
        double[] wall = new double[n];
        int k = 0;
        for (int r = 0; r < repeats; r++) {
            for (Input i : in) {
                long[] a = new long[STEPS.size()];
                long w0 = System.nanoTime();
                once(i, a);
                wall[k] = Stats.millis(System.nanoTime() - w0);
                total[k] = record(a, steps, k);
                k++;
            }
        }
        return new Timings(medians(steps, total), Stats.median(wall));
    }

    private static double record(long[] nanos, double[][] steps, int k) {
        long sum = 0;
        for (int s = 0; s < nanos.length; s++) {
            steps[s][k] = Stats.millis(nanos[s]);
            sum += nanos[s];
        }
        return Stats.millis(sum);
    }

    private static Map<String, Double> medians(double[][] steps, double[] totals) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int s = 0; s < STEPS.size(); s++) {
            out.put(STEPS.get(s), Stats.median(steps[s]));
        }
        out.put("total", Stats.median(totals));
        return out;
    }

    /**
     * SAM 2.1's preprocessing (stretch to 1024x1024, normalise) and post-processing (3 candidates per box:
     * 256x256 logits to the image size, thresholded) for one family's geometry: medians per image in ms.
     */
    double[] sam2(List<Input> in, Sam2Geometry g) {
        int n = in.size() * repeats;
        double[] pre = new double[n];
        double[] post = new double[n];
        long area = 0;
        for (int pass = -1, k = 0; pass < repeats; pass++) { // pass -1 warms up
            for (Input i : in) {
                RgbImage image;
                try {
                    image = decoder.decode(i.jpeg(), "bench.jpg");
                } catch (ImageDecodeException e) {
                    throw new IllegalStateException(e);
                }
                int w = image.width(), h = image.height();
                long t0 = cpu();
                float[] pv = g.pixelValues(image);
                long t1 = cpu();
                for (float[][] perBox : i.lowRes2()) {
                    for (float[] low : perBox) {
                        area += BitMask.fromLogits(g.toOriginal(low, w, h), w, h, 0f).area();
                    }
                }
                long t2 = cpu();
                if (pv.length != 3 * Sam2ImageProcessor.FRAME * Sam2ImageProcessor.FRAME) {
                    throw new IllegalStateException("SAM 2.1 pixel values of " + pv.length);
                }
                if (pass >= 0) {
                    pre[k] = Stats.millis(t1 - t0);
                    post[k] = Stats.millis(t2 - t1);
                    k++;
                }
            }
        }
        if (area <= 0) {
            throw new IllegalStateException("SAM 2.1 post-processing kept no pixel");
        }
        return new double[] {Stats.median(pre), Stats.median(post)};
    }

    List<BenchRow> run() {
        List<Input> in = inputs(images);
        Timings t = measure(in, 2);
        List<BenchRow> rows = new ArrayList<>();
        String where = images + " scenes " + WIDTH + "x" + HEIGHT + " JPEG, " + OBJECTS + " objects, x" + repeats
                + " repeats, 1 thread";
        rows.add(BenchRow.atMost(ID, "non-model CPU per image (median)", t.steps().get("total"), "ms", BUDGET_MS,
                where + "; thread CPU time"));
        for (String step : STEPS) {
            rows.add(BenchRow.info(ID, "  " + step, t.steps().get(step), "ms", "median per image"));
        }
        rows.add(BenchRow.info(ID, "wall per image", t.wall(), "ms",
                "wall counts waiting for a core on a loaded machine"));
        Map<String, Sam2Geometry> families = new LinkedHashMap<>();
        families.put("onnx-community", Sam2Geometry.of(SamFormat.SAM2_HF,
                Sam2ImageProcessor.fromDirectory(models.resolve("sam2-hf"))));
        families.put("samexporter", Sam2Geometry.of(SamFormat.SAM2_SAMEXPORTER, Sam2ImageProcessor.samexporter()));
        for (Map.Entry<String, Sam2Geometry> f : families.entrySet()) {
            double[] m = sam2(in, f.getValue());
            String how = f.getKey().equals("samexporter") ? "cv2.resize INTER_LINEAR, no antialiasing"
                    : "Pillow bilinear from " + models.resolve("sam2-hf/preprocessor_config.json").getFileName();
            rows.add(BenchRow.info(ID, "  sam2-preprocess (" + f.getKey() + ")", m[0], "ms", "SAM 2.1: stretch to "
                    + "1024x1024 (" + how + ") + normalise; SAM 1 sam-preprocess above: "
                    + BenchRow.fmt(t.steps().get("sam-preprocess")) + " ms"));
            rows.add(BenchRow.info(ID, "  sam2-postprocess (" + f.getKey() + ")", m[1], "ms", "3 candidates x "
                    + OBJECTS + " boxes: 256x256 logits to the image "
                    + (f.getKey().equals("samexporter") ? "in one step" : "through 1024x1024") + ", > 0; SAM 1 "
                    + "sam-postprocess above: " + BenchRow.fmt(t.steps().get("sam-postprocess")) + " ms"));
        }
        return rows;
    }
}
