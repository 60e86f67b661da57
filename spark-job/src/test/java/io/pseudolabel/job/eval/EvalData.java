package io.pseudolabel.job.eval;

import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A generated evaluation set: ground truth from synthetic scenes (with some 255 pixels), predictions
 * that are the ground truth damaged differently per image, and the awkward cases: a prediction of the
 * wrong size, one with an out-of-range id, ground truth with no prediction, a prediction with no ground
 * truth. Half the files are palette PNGs, half 8-bit grayscale.
 */
final class EvalData {
    static final int CLASSES = 7; // background + the 6 classes of the fixture world

    final List<String> scoredIds = new ArrayList<>();
    final List<ClassMap> gts = new ArrayList<>();
    final List<ClassMap> preds = new ArrayList<>();

    static EvalData write(Path gtDir, Path predDir, int n, long seed) throws IOException {
        Files.createDirectories(gtDir);
        Files.createDirectories(predDir);
        EvalData d = new EvalData();
        SceneGenerator scenes = new SceneGenerator(FixtureWorld.load(), seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            String id = SceneGenerator.sceneId(i);
            ClassMap gt = withIgnore(scenes.scene(i).truth(), rnd);
            ClassMap pred = damage(gt, rnd, i % 5 == 0 ? 0.6 : 0.1 + 0.3 * rnd.nextDouble());
            save(gtDir.resolve(id + ".png"), gt, i % 2 == 0);
            save(predDir.resolve(id + ".png"), pred, i % 3 == 0);
            d.scoredIds.add(id);
            d.gts.add(gt);
            d.preds.add(pred);
        }
        ClassMap small = new ClassMap(8, 6);
        save(gtDir.resolve("wrong_size.png"), new ClassMap(10, 6), true);
        save(predDir.resolve("wrong_size.png"), small, true);
        byte[] bad = new byte[48];
        bad[5] = (byte) CLASSES; // one past the last class
        save(gtDir.resolve("bad_id.png"), small, false);
        save(predDir.resolve("bad_id.png"), new ClassMap(8, 6, bad), false);
        save(gtDir.resolve("only_gt.png"), small, true);
        save(predDir.resolve("only_pred.png"), small, true);
        return d;
    }

    /** A few ignore pixels along a random row, like VOC's object borders. */
    private static ClassMap withIgnore(ClassMap m, SplittableRandom rnd) {
        byte[] ids = m.ids().clone();
        int y = rnd.nextInt(m.height());
        for (int x = 0; x < m.width(); x += 2) {
            ids[y * m.width() + x] = (byte) 255;
        }
        return new ClassMap(m.width(), m.height(), ids);
    }

    /** A shifted copy with a random box of one class and {@code noise} of the pixels set at random. */
    private static ClassMap damage(ClassMap gt, SplittableRandom rnd, double noise) {
        int w = gt.width();
        int h = gt.height();
        byte[] out = new byte[w * h];
        int shift = rnd.nextInt(6);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = gt.get(Math.max(0, x - shift), y);
                out[y * w + x] = (byte) (v == 255 ? 0 : v);
            }
        }
        int bx = rnd.nextInt(w / 2);
        int by = rnd.nextInt(h / 2);
        byte boxClass = (byte) rnd.nextInt(CLASSES);
        for (int y = by; y < by + h / 4; y++) {
            for (int x = bx; x < bx + w / 4; x++) {
                out[y * w + x] = boxClass;
            }
        }
        for (int i = 0; i < out.length; i++) {
            double r = rnd.nextDouble();
            if (r < noise) {
                out[i] = (byte) rnd.nextInt(CLASSES);
            } else if (r < noise + 0.002) {
                out[i] = (byte) 255;
            }
        }
        return new ClassMap(w, h, out);
    }

    static void save(Path file, ClassMap m, boolean palette) throws IOException {
        Files.createDirectories(file.getParent());
        if (palette) {
            Files.write(file, PalettePng.write(m));
            return;
        }
        BufferedImage gray = new BufferedImage(m.width(), m.height(), BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setDataElements(0, 0, m.width(), m.height(), m.ids());
        if (!ImageIO.write(gray, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }
}
