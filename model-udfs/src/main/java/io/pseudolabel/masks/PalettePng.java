package io.pseudolabel.masks;

import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageLimits;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Class maps as 8-bit indexed PNGs with the PASCAL VOC colour map, the format of VOC's
 * {@code SegmentationClass} and what mmsegmentation and PIL ({@code mode "P"}) read as class ids.
 */
public final class PalettePng {

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
        return encode(map.width(), map.height(), map.ids());
    }

    /** zlib level of the pixel data: 6, zlib's default (smaller files than ImageIO's writer, in half its time). */
    static final int DEFLATE_LEVEL = 6;

    /**
     * A minimal indexed PNG written directly (ImageIO's writer tries all five row filters on every row,
     * which costs more than the rest of a label's CPU work): IHDR (8-bit, colour type 3), PLTE with the 256
     * VOC colours, one IDAT with filter type 0 on every row (the PNG specification's advice for palette
     * images), IEND.
     */
    private static byte[] encode(int w, int h, byte[] ids) {
        byte[] raw = new byte[(w + 1) * h];
        for (int y = 0; y < h; y++) {
            // raw[y * (w + 1)] = 0: filter type None
            System.arraycopy(ids, y * w, raw, y * (w + 1) + 1, w);
        }
        Deflater deflater = new Deflater(DEFLATE_LEVEL);
        byte[] idat;
        try {
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream z = new ByteArrayOutputStream(Math.max(64, raw.length / 16));
            byte[] buf = new byte[16384];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                z.write(buf, 0, n);
            }
            idat = z.toByteArray();
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + 25 + 780 + idat.length + 12 + 12);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 3; // colour type: indexed
        // compression 0, filter method 0, no interlace
        chunk(out, "IHDR", ihdr);
        chunk(out, "PLTE", VOC_PLTE);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] VOC_PLTE = vocPlte();

    private static byte[] vocPlte() {
        byte[] p = new byte[768];
        for (int i = 0; i < 256; i++) {
            int[] c = vocColor(i);
            p[3 * i] = (byte) c[0];
            p[3 * i + 1] = (byte) c[1];
            p[3 * i + 2] = (byte) c[2];
        }
        return p;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] head = new byte[8];
        putInt(head, 0, data.length);
        for (int i = 0; i < 4; i++) {
            head[4 + i] = (byte) type.charAt(i);
        }
        CRC32 crc = new CRC32();
        crc.update(head, 4, 4);
        crc.update(data);
        byte[] tail = new byte[4];
        putInt(tail, 0, (int) crc.getValue());
        out.writeBytes(head);
        out.writeBytes(data);
        out.writeBytes(tail);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
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
        return toClassMap(image);
    }

    /**
     * As {@link #read(byte[])} for a label map from outside (ground truth, a prediction table, a PNG folder):
     * its size and its width and height, read from the header, must be within {@code limits} before its
     * pixels are decoded (a 2 MB PNG can claim 40000x40000 pixels).
     *
     * @param name the file or row, named in every error
     */
    public static ClassMap read(byte[] png, ImageLimits limits, String name) {
        try {
            limits.checkFileSize(png.length, name);
        } catch (ImageDecodeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(png))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException(name + ": not an image ImageIO can read (" + png.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                limits.checkSize(reader.getWidth(0), reader.getHeight(0), name);
                return toClassMap(reader.read(0));
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": not a readable PNG: " + e.getMessage(), e);
        }
    }

    private static ClassMap toClassMap(BufferedImage image) {
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
        if (raster.getDataBuffer() instanceof DataBufferByte buffer
                && raster.getSampleModel() instanceof ComponentSampleModel sm && sm.getNumBands() == 1
                && sm.getPixelStride() == 1 && sm.getSampleSize(0) == 8 && buffer.getNumBanks() == 1
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            // one byte per pixel, rows scanlineStride apart: copy the rows
            byte[] data = buffer.getData();
            int offset = buffer.getOffset() + sm.getBandOffsets()[0];
            for (int y = 0; y < h; y++) {
                System.arraycopy(data, offset + y * sm.getScanlineStride(), ids, y * w, w);
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    ids[y * w + x] = (byte) row[x];
                }
            }
        }
        return new ClassMap(w, h, ids);
    }
}
