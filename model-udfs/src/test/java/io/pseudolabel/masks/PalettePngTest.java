package io.pseudolabel.masks;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PalettePngTest {

    @Test
    void vocColoursFollowTheBitInterleavingRule() {
        assertArrayEquals(new int[] {0, 0, 0}, PalettePng.vocColor(0));
        assertArrayEquals(new int[] {128, 0, 0}, PalettePng.vocColor(1)); // aeroplane
        assertArrayEquals(new int[] {0, 128, 0}, PalettePng.vocColor(2));
        assertArrayEquals(new int[] {128, 128, 0}, PalettePng.vocColor(3));
        assertArrayEquals(new int[] {0, 0, 128}, PalettePng.vocColor(4));
        assertArrayEquals(new int[] {128, 0, 128}, PalettePng.vocColor(5));
        assertArrayEquals(new int[] {0, 128, 128}, PalettePng.vocColor(6));
        assertArrayEquals(new int[] {128, 128, 128}, PalettePng.vocColor(7));
        assertArrayEquals(new int[] {64, 0, 0}, PalettePng.vocColor(8)); // 8 = 0b001_000: bit 3 -> r's 64
        // 15 = 0b001_111: 128 each from bits 0..2, then r += 64 from bit 3 -> person (192,128,128).
        assertArrayEquals(new int[] {192, 128, 128}, PalettePng.vocColor(15));
        // 20 = 0b010_100: bit 2 -> b 128, bit 4 -> g 64 -> tvmonitor (0,64,128).
        assertArrayEquals(new int[] {0, 64, 128}, PalettePng.vocColor(20));
        // 255: 128+64 for all three, then bits 6,7 -> r,g += 32 -> (224,224,192), VOC's ignore border.
        assertArrayEquals(new int[] {224, 224, 192}, PalettePng.vocColor(255));
        assertThrows(IllegalArgumentException.class, () -> PalettePng.vocColor(256));
    }

    @Test
    void writesAnEightBitIndexedPngWithTheVocPalette() {
        ClassMap map = new ClassMap(3, 2, new byte[] {0, 1, 2, 3, 15, (byte) 255});
        byte[] png = PalettePng.write(map);
        // IHDR follows the 8-byte signature: length, "IHDR", width, height, bit depth, colour type.
        assertEquals("IHDR", new String(png, 12, 4, StandardCharsets.US_ASCII));
        assertEquals(3, readInt(png, 16));
        assertEquals(2, readInt(png, 20));
        assertEquals(8, png[24]); // bit depth
        assertEquals(3, png[25]); // colour type 3 = indexed
        int plte = indexOf(png, "PLTE");
        assertEquals(768, readInt(png, plte - 4)); // 256 entries x RGB
        int entries = plte + 4;
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 128, 0, 0, 0, (byte) 128, 0},
                Arrays.copyOfRange(png, entries, entries + 9));
        assertArrayEquals(new byte[] {(byte) 224, (byte) 224, (byte) 192},
                Arrays.copyOfRange(png, entries + 765, entries + 768));
        assertEquals(map, PalettePng.read(png));
    }

    @Test
    void randomMapsRoundTripAndWriteIdenticalBytes() {
        Random rnd = new Random(3);
        for (int t = 0; t < 20; t++) {
            int w = 1 + rnd.nextInt(50);
            int h = 1 + rnd.nextInt(50);
            byte[] ids = new byte[w * h];
            rnd.nextBytes(ids);
            ClassMap map = new ClassMap(w, h, ids);
            byte[] png = PalettePng.write(map);
            assertEquals(map, PalettePng.read(png));
            assertArrayEquals(png, PalettePng.write(map));
        }
    }

    @Test
    void grayscalePngsAreReadAsRawIds() throws Exception {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setDataElements(0, 0, 2, 2, new byte[] {0, 7, (byte) 200, (byte) 255});
        assertEquals(new ClassMap(2, 2, new byte[] {0, 7, (byte) 200, (byte) 255}), PalettePng.read(encode(gray)));
    }

    @Test
    void colourAndNonImagesAreRejected() throws Exception {
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PalettePng.read(encode(rgb)));
        assertEquals("class-map PNG must be indexed or 8-bit grayscale, got 3 band(s) of 8 bits", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PalettePng.read("not a png".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> PalettePng.write(new ClassMap(0, 0)));
    }

    private static byte[] encode(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static int indexOf(byte[] b, String tag) {
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + t.length <= b.length; i++) {
            for (int j = 0; j < t.length; j++) {
                if (b[i + j] != t[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(tag + " not found");
    }

    @Test
    void fourBitPalettePngsFromOtherWritersAreReadByIndex() throws Exception {
        byte[] r = new byte[16], g = new byte[16], b = new byte[16];
        for (int i = 0; i < 16; i++) {
            r[i] = (byte) (i * 16);
        }
        IndexColorModel cm = new IndexColorModel(4, 16, r, g, b);
        BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_BINARY, cm);
        byte[] ids = new byte[15];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (byte) (i % 16);
            img.getRaster().setSample(i % 5, i / 5, 0, i % 16);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        assertEquals(new ClassMap(5, 3, ids), PalettePng.read(out.toByteArray()));
    }
}
