package io.pseudolabel.masks;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Class maps as 8-bit indexed PNGs with the PASCAL VOC colour map, the format of VOC's
 * {@code SegmentationClass} and what mmsegmentation and PIL ({@code mode "P"}) read as class ids.
 */
public final class PalettePng {

    private static final IndexColorModel VOC = vocColorModel();

    private PalettePng() {}

    /**
     * VOC colour {@code index} (0..255) as {r, g, b}: bits 0,1,2 of the index go to the top bit of r,g,b,
     * bits 3,4,5 to the next bit down, and so on, so small ids get far-apart colours.
     */
    public static int[] vocColor(int index) {
        if (index < 0 || index > 255) {
            throw new IllegalArgumentException("palette index must be 0..255: " + index);
        }
        int r = 0, g = 0, b = 0;
        int c = index;
        for (int bit = 7; bit >= 0; bit--) {
            r |= (c & 1) << bit;
            g |= ((c >> 1) & 1) << bit;
            b |= ((c >> 2) & 1) << bit;
            c >>= 3;
        }
        return new int[] {r, g, b};
    }

    /** The PNG bytes of {@code map}, palette index = class id. */
    public static byte[] write(ClassMap map) {
        if (map.width() == 0 || map.height() == 0) {
            throw new IllegalArgumentException("a PNG needs at least one pixel, map is " + map.width() + "x" + map.height());
        }
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

    /**
     * The class ids in a PNG: the palette index of each pixel for an indexed PNG (whatever its colours),
     * the raw value for an 8-bit (or lower) grayscale PNG. Anything else is an error, not a guess.
     */
    public static ClassMap read(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable PNG: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not an image ImageIO can read (" + png.length + " bytes)");
        }
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        boolean indexed = cm instanceof IndexColorModel;
        boolean gray = raster.getNumBands() == 1 && cm.getNumComponents() == 1
                && raster.getSampleModel().getSampleSize(0) <= 8;
        if (!indexed && !gray) {
            throw new IllegalArgumentException("class-map PNG must be indexed or 8-bit grayscale, got "
                    + raster.getNumBands() + " band(s) of " + raster.getSampleModel().getSampleSize(0) + " bits");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] ids = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                ids[y * w + x] = (byte) raster.getSample(x, y, 0);
            }
        }
        return new ClassMap(w, h, ids);
    }

    private static IndexColorModel vocColorModel() {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int[] c = vocColor(i);
            r[i] = (byte) c[0];
            g[i] = (byte) c[1];
            b[i] = (byte) c[2];
        }
        return new IndexColorModel(8, 256, r, g, b);
    }
}
