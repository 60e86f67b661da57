package io.pseudolabel.image;

import com.typesafe.config.ConfigFactory;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.PalettePng;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pseudolabel.image.*}: pixels, longer side, aspect ratio and file size, checked before decoding. */
class ImageLimitsTest {
    static final ImageLimits DEFAULTS = ImageLimits.from(ConfigFactory.defaultReference());

    @Test
    void theReferenceLimits() {
        assertEquals(new ImageLimits(100_000_000L, 30_000, 20, 256L << 20), DEFAULTS);
    }

    @Test
    void eachLimitNamesItsKey() {
        assertNull(DEFAULTS.problem(1, 1));
        assertNull(DEFAULTS.problem(640, 32)); // 20:1 is allowed
        assertTrue(DEFAULTS.problem(641, 32).endsWith("aspect ratio 20.0:1 is more than the limit of 20:1 "
                + "(pseudolabel.image.max-aspect-ratio)"), DEFAULTS.problem(641, 32));
        assertEquals("image is 30001x3000: its width 30001 is more than the limit of 30000 (pseudolabel.image.max-side)",
                DEFAULTS.problem(30_001, 3_000));
        assertEquals("image is 12000x9000 = 108000000 pixels, more than the limit of 100000000 "
                + "(pseudolabel.image.max-pixels)", DEFAULTS.problem(12_000, 9_000));
        assertEquals("invalid image size 0x5", DEFAULTS.problem(0, 5));
        // a product that overflows a long is still refused, not wrapped around
        assertTrue(DEFAULTS.problem(Long.MAX_VALUE / 2, 4).contains("too many pixels"));
    }

    @Test
    void settingsAreReadAndCheckedWithTheirKeys() {
        ImageLimits l = ImageLimits.from(ConfigFactory.parseMap(Map.of("pseudolabel.image.max-file-size", "1KiB",
                "pseudolabel.image.max-aspect-ratio", "2.5")).withFallback(ConfigFactory.defaultReference()));
        assertEquals(1024, l.maxFileBytes());
        assertEquals(2.5, l.maxAspectRatio());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageLimits.from(
                ConfigFactory.parseMap(Map.of("pseudolabel.image.max-side", "lots")).withFallback(
                        ConfigFactory.defaultReference())));
        assertTrue(e.getMessage().contains("pseudolabel.image.max-side"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImageLimits(1, 1, 0.5, 1));
    }

    /** An indexed PNG header claiming w x h: 45 bytes that would allocate w*h bytes if decoded. */
    static byte[] claimedPalettePng(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        byte[] ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(w).putInt(h)
                .put(new byte[] {8, 3, 0, 0, 0}).array();
        CRC32 crc = new CRC32();
        crc.update(ihdr);
        b.putInt(13).put(ihdr).putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes()).putInt(0xAE426082);
        return b.array();
    }

    @Test
    void aLabelMapIsCheckedFromItsHeaderBeforeItsPixelsAreAllocated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PalettePng.read(claimedPalettePng(40_000, 40_000), DEFAULTS, "gt/huge.png"));
        assertEquals("gt/huge.png: image is 40000x40000 = 1600000000 pixels, more than the limit of 100000000 "
                + "(pseudolabel.image.max-pixels)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PalettePng.read(claimedPalettePng(2, 40_000), new ImageLimits(100_000_000, 100_000, 20, 1 << 20),
                        "gt/strip.png"));
        assertTrue(e.getMessage().startsWith("gt/strip.png: image is 2x40000: aspect ratio"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PalettePng.read(new byte[2048],
                new ImageLimits(100, 100, 20, 1024), "gt/big-file.png"));
        assertEquals("gt/big-file.png: file is 2048 bytes, more than the limit of 1024 "
                + "(pseudolabel.image.max-file-size)", e.getMessage());

        ClassMap map = new ClassMap(3, 2, new byte[] {0, 1, 2, 3, 4, (byte) 255});
        assertEquals(map, PalettePng.read(PalettePng.write(map), DEFAULTS, "ok.png"));
    }
}
