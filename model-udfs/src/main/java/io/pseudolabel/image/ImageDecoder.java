package io.pseudolabel.image;

import io.pseudolabel.image.ImageDecodeException.Kind;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Image file bytes to an 8-bit {@link RgbImage}, the way Pillow's {@code Image.open(f)} followed by
 * {@code ImageOps.exif_transpose} and {@code convert("RGB")} sees the file (what the HF processors are fed).
 *
 * <ul>
 *   <li>JPEG (TwelveMonkeys/JDK reader): the raw decoded components are converted here with libjpeg's
 *       integer YCbCr-to-RGB tables; CMYK and YCCK JPEGs are converted with Pillow's naive
 *       {@code cmyk2rgb} (the stored values read as inverted, like Pillow's {@code "CMYK;I"} always does); embedded ICC
 *       profiles are ignored, as Pillow's {@code convert} ignores them.</li>
 *   <li>PNG/BMP/GIF/TIFF (JDK readers), WebP (TwelveMonkeys): gray is replicated to R=G=B, palettes are
 *       looked up, alpha is dropped (not composited), exactly like {@code convert("RGB")}.</li>
 *   <li>16-bit samples keep their high byte (Pillow does this for 16-bit RGB; for 16-bit grayscale Pillow
 *       clips the value to 255, which whitens the image, so there we deliberately differ).</li>
 *   <li>EXIF orientation from a JPEG APP1, PNG eXIf or WebP EXIF chunk is applied (all 8 values).</li>
 *   <li>Dimensions are read from the header first; an image beyond the {@link ImageLimits} (pixels, longer
 *       side, aspect ratio; and the file's size) is refused before its pixels are decoded.</li>
 * </ul>
 * Thread-safe: every call uses its own reader and in-memory stream (no ImageIO disk cache).
 */
public final class ImageDecoder {

    private final ImageLimits limits;

    /** Refuses images beyond {@code limits} (pixels, side, aspect ratio, file size) from the header. */
    public ImageDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    /**
     * Only a pixel limit, for images this program made or was handed whole (report overlays, benchmarks):
     * pipelines reading user files use {@link #ImageDecoder(ImageLimits)}.
     */
    public ImageDecoder(long maxPixels) {
        this(new ImageLimits(maxPixels, Long.MAX_VALUE, Double.MAX_VALUE, Long.MAX_VALUE));
    }

    public long maxPixels() {
        return limits.maxPixels();
    }

    public ImageLimits limits() {
        return limits;
    }

    public RgbImage decode(byte[] bytes, String name) throws ImageDecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageDecodeException(Kind.EMPTY, name, "empty file (0 bytes)");
        }
        limits.checkFileSize(bytes.length, name);
        Container info = Container.scan(bytes, name);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                if (info.format == Container.Format.OTHER) {
                    throw new ImageDecodeException(Kind.NOT_AN_IMAGE, name, "not an image (no image format recognised in the first bytes: "
                            + describeStart(bytes) + ")");
                }
                throw new ImageDecodeException(Kind.UNSUPPORTED, name, "no reader available for " + info.format);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                limits.checkSize(reader.getWidth(0), reader.getHeight(0), name);
                RgbImage img = info.format == Container.Format.JPEG
                        ? jpegToRgb(reader.readRaster(0, null), info, name)
                        : toRgb(reader.read(0), name);
                return Orientation.apply(img, info.orientation);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IIOException e) {
            String msg = String.valueOf(e.getMessage());
            Kind kind = msg.toLowerCase(Locale.ROOT).contains("unsupported") ? Kind.UNSUPPORTED : Kind.CORRUPT;
            throw new ImageDecodeException(kind, name, (kind == Kind.UNSUPPORTED ? "unsupported " : "corrupt ")
                    + info.format + " image: " + msg, e);
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(Kind.CORRUPT, name, "corrupt " + info.format + " image: " + e, e);
        }
    }

    private static String describeStart(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            s.append(String.format("%02x", b[i] & 0xff));
        }
        return s.toString();
    }

    // ---------------------------------------------------------------- JPEG (raw components, libjpeg maths)

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        // libjpeg jdcolor.c build_ycc_rgb_table: FIX(x) = (int)(x * 65536 + 0.5)
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    /** Pillow's cmyk2rgb: MULDIV255(a, b) = ((t = a*b + 128) >> 8 + t) >> 8. */
    private static int muldiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    /**
     * Row {@code y} (0-based from the raster's top) of every band, interleaved, like {@code Raster.getPixels};
     * straight from the bytes when the raster is one byte array with its bands in order (what the JPEG reader
     * returns), since {@code getPixels} goes through the sample model one sample at a time.
     */
    private static void rowSamples(Raster r, int y, int[] row) {
        int w = r.getWidth();
        int bands = r.getNumBands();
        if (r.getDataBuffer() instanceof DataBufferByte db && db.getNumBanks() == 1
                && r.getSampleModel() instanceof ComponentSampleModel sm && sm.getPixelStride() == bands
                && inOrder(sm.getBandOffsets()) && sm.getSampleSize(0) == 8) {
            byte[] data = db.getData();
            int base = db.getOffset() + sm.getBandOffsets()[0]
                    + (r.getMinY() + y - r.getSampleModelTranslateY()) * sm.getScanlineStride()
                    + (r.getMinX() - r.getSampleModelTranslateX()) * bands;
            int n = w * bands;
            for (int i = 0; i < n; i++) {
                row[i] = data[base + i] & 0xff;
            }
            return;
        }
        r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
    }

    private static boolean inOrder(int[] bandOffsets) {
        for (int i = 0; i < bandOffsets.length; i++) {
            if (bandOffsets[i] != bandOffsets[0] + i) {
                return false;
            }
        }
        return true;
    }

    // byte-level pixel conversion, one pass over the raster; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    private static RgbImage jpegToRgb(Raster r, Container info, String name) throws ImageDecodeException {
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = r.getNumBands();
        int[] ids = info.componentIds;
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * bands];
        int o = 0;
        if (bands == 1) {
            for (int y = 0; y < h; y++) {
                rowSamples(r, y, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) row[x];
                    out[o++] = v;
                    out[o++] = v;
                    out[o++] = v;
                }
            }
        } else if (bands == 3) {
            // libjpeg's default_decompress_parms: JFIF -> YCbCr; Adobe transform 0 -> RGB; ids 'R','G','B' -> RGB
            boolean rgb = !info.jfif && (info.adobeTransform == 0
                    || (info.adobeTransform < 0 && ids.length == 3 && ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B'));
            for (int y = 0; y < h; y++) {
                rowSamples(r, y, row);
                for (int i = 0; i < w * 3; i += 3) {
                    if (rgb) {
                        out[o++] = (byte) row[i];
                        out[o++] = (byte) row[i + 1];
                        out[o++] = (byte) row[i + 2];
                    } else {
                        int yy = row[i];
                        int cb = row[i + 1];
                        int cr = row[i + 2];
                        out[o++] = (byte) clamp(yy + CR_R[cr]);
                        out[o++] = (byte) clamp(yy + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
                        out[o++] = (byte) clamp(yy + CB_B[cb]);
                    }
                }
            }
        } else if (bands == 4) {
            // libjpeg: Adobe transform 2 -> YCCK, converted to CMYK. Pillow always reads 4-component JPEGs as
            // "CMYK;I" (Adobe polarity), with or without an Adobe marker, and we follow it.
            boolean ycck = info.adobeTransform == 2;
            for (int y = 0; y < h; y++) {
                rowSamples(r, y, row);
                for (int i = 0; i < w * 4; i += 4) {
                    int c = row[i];
                    int m = row[i + 1];
                    int ye = row[i + 2];
                    int k = row[i + 3];
                    if (ycck) {
                        int yy = row[i];
                        int cb = row[i + 1];
                        int cr = row[i + 2];
                        c = 255 - clamp(yy + CR_R[cr]);
                        m = 255 - clamp(yy + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
                        ye = 255 - clamp(yy + CB_B[cb]);
                    }
                    c = 255 - c;
                    m = 255 - m;
                    ye = 255 - ye;
                    k = 255 - k;
                    int nk = 255 - k;
                    out[o++] = (byte) clamp(nk - muldiv255(c, nk));
                    out[o++] = (byte) clamp(nk - muldiv255(m, nk));
                    out[o++] = (byte) clamp(nk - muldiv255(ye, nk));
                }
            }
        } else {
            throw new ImageDecodeException(Kind.UNSUPPORTED, name, "JPEG with " + bands + " components is not supported");
        }
        return new RgbImage(w, h, out);
    }

    // ---------------------------------------------------------------- everything else (ImageIO BufferedImage)

    // byte-level pixel conversion, one pass over the raster; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    static RgbImage toRgb(BufferedImage bi, String name) throws ImageDecodeException {
        int w = bi.getWidth();
        int h = bi.getHeight();
        byte[] out = new byte[w * h * 3];
        ColorModel cm = bi.getColorModel();
        Raster r = bi.getRaster();
        int o = 0;
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            int size = icm.getMapSize();
            byte[] rs = new byte[size];
            byte[] gs = new byte[size];
            byte[] bs = new byte[size];
            icm.getReds(rs);
            icm.getGreens(gs);
            icm.getBlues(bs);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = Math.min(row[x], size - 1);
                    out[o++] = rs[i];
                    out[o++] = gs[i];
                    out[o++] = bs[i];
                }
            }
            return new RgbImage(w, h, out);
        }
        int csType = cm.getColorSpace().getType();
        if (cm instanceof ComponentColorModel
                && (csType == ColorSpace.TYPE_GRAY || csType == ColorSpace.TYPE_RGB)
                && (r.getTransferType() == DataBuffer.TYPE_BYTE || r.getTransferType() == DataBuffer.TYPE_USHORT)) {
            int bands = r.getNumBands();
            int colors = cm.getNumColorComponents();
            int bits = cm.getComponentSize(0);
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int p = x * bands;
                    for (int c = 0; c < 3; c++) {
                        int v = row[p + (colors == 1 ? 0 : c)];
                        out[o++] = (byte) scale(v, bits);
                    }
                }
            }
            return new RgbImage(w, h, out);
        }
        if (csType != ColorSpace.TYPE_RGB && csType != ColorSpace.TYPE_GRAY) {
            throw new ImageDecodeException(Kind.UNSUPPORTED, name,
                    "colour space type " + csType + " (" + cm.getClass().getSimpleName() + ") is not supported");
        }
        // packed RGB(A) and anything else in RGB: the colour model's own unpacking, alpha dropped
        Object data = null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                data = r.getDataElements(x, y, data);
                int argb = cm.getRGB(data);
                if (cm.hasAlpha() && cm.isAlphaPremultiplied()) {
                    argb = unpremultipliedRgb(cm, data);
                }
                out[o++] = (byte) (argb >> 16);
                out[o++] = (byte) (argb >> 8);
                out[o++] = (byte) argb;
            }
        }
        return new RgbImage(w, h, out);
    }

    private static int unpremultipliedRgb(ColorModel cm, Object data) {
        return (cm.getRed(data) << 16) | (cm.getGreen(data) << 8) | cm.getBlue(data);
    }

    /** A {@code bits}-bit sample as 8 bits: high byte for 16-bit, PNG's bit replication scale for 1/2/4-bit. */
    private static int scale(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        if (bits > 8) {
            return v >>> (bits - 8);
        }
        return v * 255 / ((1 << bits) - 1);
    }
}
