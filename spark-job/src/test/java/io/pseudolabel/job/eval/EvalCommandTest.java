package io.pseudolabel.job.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.Main;
import io.pseudolabel.job.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pseudolabel eval} end to end against a reference computed here with plain loops. */
class EvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void evalOnTwoPngFoldersPrintsTheReferenceMiou() throws Exception {
        TestSpark.session();
        Path gt = dir.resolve("gt");
        Path pred = dir.resolve("pred");
        EvalData.write(gt, pred, 10, 5L);
        Path json = dir.resolve("out/eval.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"eval", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes",
            "7", "--master", "local[2]", "--json", json.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, code, printed + err.toString(StandardCharsets.UTF_8));

        double[] reference = reference(gt, pred, 7);
        Matcher m = Pattern.compile("(?m)^mIoU\\s+(\\S+)").matcher(printed);
        assertTrue(m.find(), printed);
        assertEquals(String.format(Locale.ROOT, "%.4f", reference[0]), m.group(1), printed);
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(reference[0], o.get("miou").getAsDouble(), 1e-12);
        assertEquals((long) reference[1], o.get("num_images").getAsLong());
        assertEquals(2, o.get("error_count").getAsInt());
        assertEquals(1, o.get("missing_prediction_count").getAsInt());
        assertEquals(1, o.get("missing_ground_truth_count").getAsInt());
        assertTrue(o.getAsJsonObject("per_class_iou").has("6"), o.toString());
    }

    /**
     * mIoU the plain way: for every ground-truth PNG with a prediction of the same name and size and no
     * id outside 0..classes-1 (255 aside), count per class intersection, ground-truth and predicted
     * pixels over pixels where neither side is 255; average IoU over classes with any pixel.
     *
     * @return {mIoU, images counted}
     */
    static double[] reference(Path gtDir, Path predDir, int classes) throws Exception {
        long[] inter = new long[classes];
        long[] gtPix = new long[classes];
        long[] predPix = new long[classes];
        int images = 0;
        File[] files = gtDir.toFile().listFiles((d, n) -> n.endsWith(".png"));
        for (File g : files) {
            File p = predDir.resolve(g.getName()).toFile();
            if (!p.exists()) {
                continue;
            }
            Raster a = ImageIO.read(g).getRaster();
            Raster b = ImageIO.read(p).getRaster();
            if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
                continue;
            }
            long[] i1 = new long[classes];
            long[] g1 = new long[classes];
            long[] p1 = new long[classes];
            boolean bad = false;
            for (int y = 0; y < a.getHeight() && !bad; y++) {
                for (int x = 0; x < a.getWidth(); x++) {
                    int gv = a.getSample(x, y, 0);
                    int pv = b.getSample(x, y, 0);
                    if (gv == 255 || pv == 255) {
                        continue;
                    }
                    if (gv >= classes || pv >= classes) {
                        bad = true;
                        break;
                    }
                    g1[gv]++;
                    p1[pv]++;
                    if (gv == pv) {
                        i1[gv]++;
                    }
                }
            }
            if (bad) {
                continue;
            }
            images++;
            for (int c = 0; c < classes; c++) {
                inter[c] += i1[c];
                gtPix[c] += g1[c];
                predPix[c] += p1[c];
            }
        }
        double sum = 0;
        int n = 0;
        for (int c = 0; c < classes; c++) {
            long union = gtPix[c] + predPix[c] - inter[c];
            if (union > 0) {
                sum += (double) inter[c] / union;
                n++;
            }
        }
        return new double[] {sum / n, images};
    }

}
