package io.pseudolabel.image;

import io.pseudolabel.image.ImageDecodeException.Kind;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of good and bad input, generated in code. */
class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(10_000_000);

    // ------------------------------------------------------------------ helpers that write files

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage img) throws IOException {
        return jpeg(new IIOImage(img, null, null));
    }

    static byte[] jpeg(IIOImage img) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(1f);
            w.write(null, img, p);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    /** Left half red, right half blue, in 16-pixel blocks so JPEG keeps the colours. */
    static BufferedImage redBlue(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x < w / 2 ? 0xFF0000 : 0x0000FF);
            }
        }
        return img;
    }

    /** An APP1 Exif segment holding only the orientation tag, in either byte order. */
    static byte[] exifApp1(int orientation, boolean littleEndian) {
        ByteBuffer t = ByteBuffer.allocate(8 + 2 + 12 + 4).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        t.put((byte) (littleEndian ? 'I' : 'M')).put((byte) (littleEndian ? 'I' : 'M')).putShort((short) 42).putInt(8);
        t.putShort((short) 1);
        t.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        t.putInt(0);
        byte[] tiff = t.array();
        int len = 2 + 6 + tiff.length;
        ByteBuffer seg = ByteBuffer.allocate(2 + len).order(ByteOrder.BIG_ENDIAN);
        seg.put((byte) 0xFF).put((byte) 0xE1).putShort((short) len).put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1)).put(tiff);
        return seg.array();
    }

    static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static final byte[] PNG_SIG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    ImageDecodeException fails(Kind kind, byte[] bytes, String name) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(bytes, name));
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
        assertEquals(name, e.fileName());
        return e;
    }

    static void assertColor(RgbImage img, int x, int y, int r, int g, int b, int tol) {
        int[] got = {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
        int[] want = {r, g, b};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(got[c] - want[c]) <= tol,
                    "pixel " + x + "," + y + " is " + Arrays.toString(got) + ", expected " + Arrays.toString(want));
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void emptyFile() {
        fails(Kind.EMPTY, new byte[0], "empty.jpg");
    }

    @Test
    void textNamedJpg() {
        fails(Kind.NOT_AN_IMAGE, "hello, this is not a picture\n".getBytes(StandardCharsets.UTF_8), "notes.jpg");
    }

    @Test
    void corruptJpegHeader() throws IOException {
        byte[] j = jpeg(redBlue(32, 16));
        // wipe the frame header (SOF0) and everything before it except SOI: tables gone, dimensions gone
        int sof = indexOfMarker(j, 0xC0);
        Arrays.fill(j, 2, sof + 10, (byte) 0x00);
        fails(Kind.CORRUPT, j, "bad-header.jpg");
    }

    @Test
    void corruptPngHeaderCrc() throws IOException {
        byte[] p = png(redBlue(8, 8));
        p[16] ^= 0x01; // width byte inside IHDR: CRC no longer matches
        ImageDecodeException e = fails(Kind.CORRUPT, p, "bad-crc.png");
        assertTrue(e.getMessage().contains("IHDR"));
    }

    @Test
    void corruptPngPixelData() throws IOException {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(8).putInt(8).put(new byte[] {8, 2, 0, 0, 0}).array();
        byte[] garbage = "definitely not zlib data".getBytes(StandardCharsets.US_ASCII);
        byte[] p = concat(PNG_SIG, chunk("IHDR", ihdr), chunk("IDAT", garbage), chunk("IEND", new byte[0]));
        fails(Kind.CORRUPT, p, "bad-idat.png");
    }

    @Test
    void truncatedJpeg() throws IOException {
        byte[] j = jpeg(redBlue(64, 48));
        fails(Kind.TRUNCATED, Arrays.copyOf(j, j.length * 2 / 3), "cut.jpg");
        fails(Kind.TRUNCATED, Arrays.copyOf(j, j.length - 2), "no-eoi.jpg"); // only the EOI marker missing
        fails(Kind.TRUNCATED, Arrays.copyOf(j, 40), "cut-in-header.jpg");
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] p = png(redBlue(64, 48));
        fails(Kind.TRUNCATED, Arrays.copyOf(p, p.length / 2), "cut.png");
        fails(Kind.TRUNCATED, Arrays.copyOf(p, p.length - 12), "no-iend.png");
    }

    @Test
    void truncatedBmpAndWebp() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(redBlue(16, 16), "bmp", out);
        byte[] bmp = out.toByteArray();
        fails(Kind.TRUNCATED, Arrays.copyOf(bmp, bmp.length - 100), "cut.bmp");
        byte[] webp = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN)
                .put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(1000).put("WEBPVP8 ".getBytes(StandardCharsets.US_ASCII))
                .array();
        fails(Kind.TRUNCATED, webp, "cut.webp");
    }

    @Test
    void hugePngIsRefusedFromItsHeader() {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put(new byte[] {8, 2, 0, 0, 0}).array();
        byte[] p = concat(PNG_SIG, chunk("IHDR", ihdr), chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1}),
                chunk("IEND", new byte[0]));
        // 10^10 pixels would need 30 GB: the test heap (4 GB) proves nothing was allocated
        ImageDecodeException e = fails(Kind.TOO_LARGE, p, "huge.png");
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    }

    @Test
    void hugeJpegIsRefusedFromItsFrameHeader() throws Exception {
        byte[] j = jpeg(redBlue(32, 16));
        int sof = indexOfMarker(j, 0xC0);
        // SOF0: FFC0 len(2) precision(1) height(2) width(2)
        j[sof + 5] = (byte) 0xEA;
        j[sof + 6] = 0x60;
        j[sof + 7] = (byte) 0xEA;
        j[sof + 8] = 0x60;
        fails(Kind.TOO_LARGE, j, "huge.jpg");
        // the limit is inclusive: exactly maxPixels decodes
        RgbImage ok = new ImageDecoder(32 * 16).decode(jpeg(redBlue(32, 16)), "ok.jpg");
        assertEquals(32, ok.width());
    }

    @Test
    void heicIsUnsupported() {
        byte[] heic = concat(new byte[] {0, 0, 0, 24}, "ftypheic".getBytes(StandardCharsets.US_ASCII), new byte[16]);
        fails(Kind.UNSUPPORTED, heic, "photo.heic");
    }

    static int indexOfMarker(byte[] b, int marker) {
        for (int i = 2; i + 1 < b.length; i++) {
            if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == marker) {
                return i;
            }
        }
        throw new AssertionError("marker not found");
    }

    // ------------------------------------------------------------------ good input, exact pixels

    @Test
    void grayscalePngIsReplicated() throws Exception {
        BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setPixels(0, 0, 3, 2, new int[] {0, 7, 128, 200, 254, 255});
        RgbImage img = decoder.decode(png(g), "gray.png");
        // no gamma conversion (BufferedImage.getRGB would change 128 to 186 through the linear gray space)
        assertEquals(128, img.get(2, 0, 0));
        assertEquals(128, img.get(2, 0, 1));
        assertEquals(128, img.get(2, 0, 2));
        assertEquals(7, img.get(1, 0, 1));
        assertEquals(254, img.get(1, 1, 2));
    }

    @Test
    void sixteenBitPngKeepsTheHighByte() throws Exception {
        BufferedImage g = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        g.getRaster().setPixels(0, 0, 3, 1, new int[] {0x12FF, 0x8000, 0xFFFF});
        RgbImage img = decoder.decode(png(g), "gray16.png");
        assertEquals(0x12, img.get(0, 0, 0));
        assertEquals(0x80, img.get(1, 0, 1));
        assertEquals(0xFF, img.get(2, 0, 2));
    }

    @Test
    void palettePngIsLookedUp() throws Exception {
        byte[] r = {10, 20, (byte) 250};
        byte[] gr = {11, 21, (byte) 251};
        byte[] b = {12, 22, (byte) 252};
        IndexColorModel cm = new IndexColorModel(8, 3, r, gr, b);
        BufferedImage p = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, cm);
        p.getRaster().setPixels(0, 0, 3, 1, new int[] {2, 0, 1});
        RgbImage img = decoder.decode(png(p), "palette.png");
        assertColor(img, 0, 0, 250, 251, 252, 0);
        assertColor(img, 1, 0, 10, 11, 12, 0);
        assertColor(img, 2, 0, 20, 21, 22, 0);
    }

    @Test
    void alphaIsDroppedNotComposited() throws Exception {
        BufferedImage a = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        a.setRGB(0, 0, 0x00336699); // fully transparent: colour kept, like convert('RGB')
        a.setRGB(1, 0, 0x80FF8000);
        RgbImage img = decoder.decode(png(a), "alpha.png");
        assertColor(img, 0, 0, 0x33, 0x66, 0x99, 0);
        assertColor(img, 1, 0, 0xFF, 0x80, 0x00, 0);
    }

    @Test
    void cmykJpegUsesPillowsConversion() throws Exception {
        // a 4-component JPEG without an Adobe marker, as the JDK writer makes it from a raster
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 8, 4, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, new int[] {x * 16, y * 32, 100, 50});
            }
        }
        RgbImage img = decoder.decode(jpeg(new IIOImage(r, null, null)), "cmyk.jpg");
        assertEquals(16, img.width());
        assertEquals(8, img.height());
        // Pillow 9.4 reads this very file as (47, 44, 20) at (15, 7): stored values inverted, then
        // R = (255-K') - C'(255-K')/255 with C' = 255 - stored. JPEG at quality 1.0 is within 1 level.
        assertColor(img, 15, 7, 47, 44, 20, 1);
        assertColor(img, 0, 0, 0, 0, 20, 1); // 50 - 155*50/255
    }

    @Test
    void exifOrientationOnJpeg() throws Exception {
        byte[] j = jpeg(redBlue(32, 16));
        RgbImage plain = decoder.decode(j, "plain.jpg");
        assertEquals(32, plain.width());
        assertColor(plain, 0, 0, 255, 0, 0, 3);
        for (boolean le : new boolean[] {true, false}) {
            // 6: rotate 90 clockwise -> 16x32, the red left half is now on top
            RgbImage o6 = decoder.decode(insertAfterSoi(j, exifApp1(6, le)), "o6.jpg");
            assertEquals(16, o6.width());
            assertEquals(32, o6.height());
            assertColor(o6, 8, 2, 255, 0, 0, 3);
            assertColor(o6, 8, 29, 0, 0, 255, 3);
            // 8: rotate 90 counter-clockwise -> red at the bottom
            RgbImage o8 = decoder.decode(insertAfterSoi(j, exifApp1(8, le)), "o8.jpg");
            assertEquals(16, o8.width());
            assertColor(o8, 8, 2, 0, 0, 255, 3);
            assertColor(o8, 8, 29, 255, 0, 0, 3);
            // 2: mirrored -> blue on the left
            RgbImage o2 = decoder.decode(insertAfterSoi(j, exifApp1(2, le)), "o2.jpg");
            assertEquals(32, o2.width());
            assertColor(o2, 2, 8, 0, 0, 255, 3);
            // 1 and out-of-range values change nothing
            assertEquals(32, decoder.decode(insertAfterSoi(j, exifApp1(1, le)), "o1.jpg").width());
            assertEquals(32, decoder.decode(insertAfterSoi(j, exifApp1(9, le)), "o9.jpg").width());
        }
    }

    @Test
    void orientationTransformsAreExact() {
        // 3x2 image, pixel value = index: checks the 8 mappings independently of any file format
        byte[] px = new byte[18];
        for (int i = 0; i < 6; i++) {
            px[3 * i] = (byte) i;
        }
        RgbImage src = new RgbImage(3, 2, px);
        int[][] expected = {
            null, {0, 1, 2, 3, 4, 5}, {2, 1, 0, 5, 4, 3}, {5, 4, 3, 2, 1, 0}, {3, 4, 5, 0, 1, 2},
            {0, 3, 1, 4, 2, 5}, {3, 0, 4, 1, 5, 2}, {5, 2, 4, 1, 3, 0}, {2, 5, 1, 4, 0, 3},
        };
        for (int o = 1; o <= 8; o++) {
            RgbImage out = Orientation.apply(src, o);
            int[] got = new int[6];
            for (int i = 0; i < 6; i++) {
                got[i] = out.rgb()[3 * i];
            }
            assertEquals(Arrays.toString(expected[o]), Arrays.toString(got), "orientation " + o);
            assertEquals(o >= 5 ? 2 : 3, out.width());
        }
    }
}
