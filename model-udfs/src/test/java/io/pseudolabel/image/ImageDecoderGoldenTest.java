package io.pseudolabel.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Files written by Pillow and what {@code Image.open(f).convert("RGB")} made of them. */
class ImageDecoderGoldenTest {

    private final ImageDecoder decoder = new ImageDecoder(1_000_000);

    @Test
    void decodesLikePillow() throws Exception {
        int n = 0;
        for (JsonElement e : Goldens.root().getAsJsonArray("decode")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            RgbImage img = decoder.decode(Goldens.hex(c.get("file").getAsString()), name);
            assertEquals(c.get("w").getAsInt(), img.width(), name);
            assertEquals(c.get("h").getAsInt(), img.height(), name);
            byte[] expected = Goldens.hex(c.get("out").getAsString());
            assertArrayEquals(expected, img.rgb(), name);
            n++;
        }
        assertEquals(11, n);
    }

    @Test
    void sixteenBitGrayKeepsHighByteWherePillowClips() throws Exception {
        for (JsonElement e : Goldens.root().getAsJsonArray("decode")) {
            JsonObject c = e.getAsJsonObject();
            if (c.get("name").getAsString().equals("gray16.png")) {
                RgbImage img = decoder.decode(Goldens.hex(c.get("file").getAsString()), "gray16.png");
                // Pillow's convert('RGB') of mode I clips: every sample >= 255 becomes white
                assertFalse(Arrays.equals(Goldens.hex(c.get("pillow_out").getAsString()), img.rgb()));
                assertEquals(0, img.get(0, 0, 0)); // 100/256 -> 0
                assertEquals(255, img.get(5, 0, 0)); // 255*257+100 -> 255
            }
        }
    }

    @Test
    void appliesAllEightExifOrientationsLikeExifTranspose() throws Exception {
        int n = 0;
        for (JsonElement e : Goldens.root().getAsJsonArray("orientation")) {
            JsonObject c = e.getAsJsonObject();
            int o = c.get("orientation").getAsInt();
            RgbImage img = decoder.decode(Goldens.hex(c.get("png").getAsString()), "o" + o + ".png");
            assertEquals(c.get("w").getAsInt(), img.width(), "orientation " + o);
            assertEquals(c.get("h").getAsInt(), img.height(), "orientation " + o);
            assertArrayEquals(Goldens.hex(c.get("out").getAsString()), img.rgb(), "orientation " + o);
            n++;
        }
        assertEquals(8, n);
    }
}
