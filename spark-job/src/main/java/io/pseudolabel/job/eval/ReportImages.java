package io.pseudolabel.job.eval;

import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The images of the eval report and the review gallery, apart from their HTML ({@link EvalReport}): an image,
 * a class map over it, the error map, thumbnails, and data URIs to inline them.
 */
public final class ReportImages {
    private ReportImages() {}

    public static BufferedImage original(RgbImage img) {
        BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[img.width()];
        byte[] rgb = img.rgb();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = 3 * (y * img.width() + x);
                row[x] = (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
            }
            out.setRGB(0, y, img.width(), 1, row, 0, img.width());
        }
        return out;
    }

    /** Class colours at 60% over the image (or over grey without one); background shows the image. */
    public static BufferedImage overlay(RgbImage base, ClassMap map) {
        int w = map.width();
        int hgt = map.height();
        BufferedImage out = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < hgt; y++) {
            for (int x = 0; x < w; x++) {
                int[] under = base == null ? GREY : new int[] {base.get(x, y, 0), base.get(x, y, 1), base.get(x, y, 2)};
                int c = map.ids()[y * w + x] & 0xff;
                int[] px = c == 0 ? under : blend(under, PalettePng.vocColor(c), base == null ? 1.0 : 0.6);
                row[x] = px[0] << 16 | px[1] << 8 | px[2];
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    /** Wrong pixels red, ignored pixels dark blue, correct pixels a faded grey image. */
    static BufferedImage errors(RgbImage base, ClassMap gt, ClassMap pred) {
        int w = gt.width();
        int hgt = gt.height();
        BufferedImage out = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < hgt; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int g = gt.ids()[i] & 0xff;
                int p = pred.ids()[i] & 0xff;
                int rgb;
                if (g == ClassMap.IGNORE || p == ClassMap.IGNORE) {
                    rgb = 0x28285a;
                } else if (g != p) {
                    rgb = 0xe61e1e;
                } else {
                    int l = base == null ? 200
                            : 150 + (299 * base.get(x, y, 0) + 587 * base.get(x, y, 1) + 114 * base.get(x, y, 2)) / 10000;
                    rgb = l << 16 | l << 8 | l;
                }
                row[x] = rgb;
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    private static final int[] GREY = {110, 110, 110};

    private static int[] blend(int[] under, int[] over, double a) {
        return new int[] {(int) Math.round(under[0] * (1 - a) + over[0] * a),
            (int) Math.round(under[1] * (1 - a) + over[1] * a), (int) Math.round(under[2] * (1 - a) + over[2] * a)};
    }

    public static BufferedImage thumbnail(BufferedImage img) {
        int w = img.getWidth();
        int hgt = img.getHeight();
        double s = Math.min(1.0, (double) EvalReport.THUMB / Math.max(w, hgt));
        if (s >= 1.0) {
            return img;
        }
        int tw = Math.max(1, (int) Math.round(w * s));
        int th = Math.max(1, (int) Math.round(hgt * s));
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(img, 0, 0, tw, th, null);
        g.dispose();
        return out;
    }

    public static String dataUri(BufferedImage img, String format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (format.equals("jpeg")) {
                Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
                ImageWriter writer = it.next();
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.88f);
                try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(img, null, null), param);
                } finally {
                    writer.dispose();
                }
            } else if (!ImageIO.write(img, "png", bytes)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/" + format + ";base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
