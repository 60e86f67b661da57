package io.pseudolabel.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.pseudolabel.geom.Box;
import io.pseudolabel.sam.Sam2Geometry;
import io.pseudolabel.sam.SamFormat;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SAM 2.1's geometry (model-contracts §4) against OpenCV 4.6, PyTorch 1.13 and Pillow 9.4 (pil_goldens.json,
 * section 5 of make_image_goldens.py) and against hand-derived numbers.
 */
class Sam2ImageProcessorTest {

    static JsonObject sam2() {
        return Goldens.root().getAsJsonObject("sam2");
    }

    /** Byte for byte what OpenCV 4.6's {@code cv2.resize(img, (w, h))} (INTER_LINEAR) returns: up, down and mixed. */
    @Test
    void linearResizeIsOpenCvsBitForBit() {
        int cases = 0;
        for (JsonElement e : sam2().getAsJsonArray("linear")) {
            JsonObject c = e.getAsJsonObject();
            RgbImage src = new RgbImage(c.get("w").getAsInt(), c.get("h").getAsInt(),
                    Goldens.hex(c.get("src").getAsString()));
            RgbImage out = Resampler.resizeLinear(src, c.get("tw").getAsInt(), c.get("th").getAsInt());
            assertArrayEquals(Goldens.hex(c.get("out").getAsString()), out.rgb(),
                    src.width() + "x" + src.height() + " -> " + out.width() + "x" + out.height());
            cases++;
        }
        assertEquals(6, cases);
    }

    /** The whole 1024x1024 frame samexporter's runner makes, as OpenCV's bytes' SHA-256, from sources up and down. */
    @Test
    void theWholeFrameIsOpenCvsBitForBit() throws Exception {
        int cases = 0;
        for (JsonElement e : sam2().getAsJsonArray("frame_sha256")) {
            JsonObject c = e.getAsJsonObject();
            int w = c.get("w").getAsInt();
            int h = c.get("h").getAsInt();
            byte[] rgb = new byte[w * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < 3; k++) {
                        rgb[(y * w + x) * 3 + k] = (byte) ((37 * x + 101 * y + 59 * k + (x * y) % 13) % 256);
                    }
                }
            }
            RgbImage frame = Sam2ImageProcessor.samexporter().stretch(new RgbImage(w, h, rgb));
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(frame.rgb());
            assertEquals(c.get("sha256").getAsString(), HexFormat.of().formatHex(sha), w + "x" + h);
            cases++;
        }
        assertEquals(4, cases);
    }

    @Test
    void linearResizeByHand() {
        // 2 -> 4 wide: s = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped to the last pixel): 0, 25, 75, 100
        RgbImage two = new RgbImage(2, 1, new byte[] {0, 0, 0, 100, 100, 100});
        assertArrayEquals(new byte[] {0, 0, 0, 25, 25, 25, 75, 75, 75, 100, 100, 100},
                Resampler.resizeLinear(two, 4, 1).rgb());
        // 4 -> 2 wide: s = 0.5, 2.5: (0+100)/2 = 50 and (200+255)/2 = 227.5 -> 228 (OpenCV's rounding). No antialiasing:
        // Pillow's bilinear averages over the widened triangle instead (Pillow 9.4: 71 and 209).
        RgbImage four = new RgbImage(4, 1, new byte[] {0, 0, 0, 100, 100, 100, (byte) 200, (byte) 200, (byte) 200,
            (byte) 255, (byte) 255, (byte) 255});
        assertArrayEquals(new byte[] {50, 50, 50, (byte) 228, (byte) 228, (byte) 228},
                Resampler.resizeLinear(four, 2, 1).rgb());
        assertArrayEquals(new byte[] {71, 71, 71, (byte) 209, (byte) 209, (byte) 209},
                Resampler.resize(four, 2, 1, Resampler.Filter.BILINEAR).rgb());
    }

    @Test
    void pixelValuesOfBothFamiliesMatchTheirReferenceRunners() {
        int cases = 0;
        for (JsonElement e : sam2().getAsJsonArray("pixel_values")) {
            JsonObject c = e.getAsJsonObject();
            RgbImage src = new RgbImage(c.get("w").getAsInt(), c.get("h").getAsInt(),
                    Goldens.hex(c.get("src").getAsString()));
            String family = c.get("family").getAsString();
            Sam2ImageProcessor p = family.equals("samexporter") ? Sam2ImageProcessor.samexporter()
                    : Sam2ImageProcessor.onnxCommunity();
            float[] v = p.pixelValues(src);
            assertEquals(3 * 1024 * 1024, v.length);
            var positions = c.getAsJsonArray("positions");
            var values = c.getAsJsonArray("values");
            for (int i = 0; i < positions.size(); i++) {
                var pos = positions.get(i).getAsJsonArray();
                int at = pos.get(0).getAsInt() * 1024 * 1024 + pos.get(1).getAsInt() * 1024 + pos.get(2).getAsInt();
                // HF computes in float32 as we do (exact); samexporter normalises in float64 and casts at the end,
                // after cv2.resize (which the 8-bit resize matches exactly)
                float tolerance = family.equals("samexporter") ? 1e-5f : 0f;
                assertEquals(values.get(i).getAsFloat(), v[at], tolerance, family + " at " + pos);
            }
            cases++;
        }
        assertEquals(2, cases);
        // the two families' resizes differ (antialiased or not) only where the source is shrunk
        RgbImage big = new RgbImage(2048, 3, new byte[2048 * 3 * 3]);
        for (int i = 0; i < big.rgb().length; i++) {
            big.rgb()[i] = (byte) (i * 37);
        }
        assertNotEquals(Arrays.hashCode(Sam2ImageProcessor.samexporter().stretch(big).rgb()),
                Arrays.hashCode(Sam2ImageProcessor.onnxCommunity().stretch(big).rgb()));
    }

    @Test
    void boxesAreScaledPerAxis() {
        // 320x240: x * 3.2, y * 1024/240 = 4.2667 (a uniform scale would use 3.2 for both)
        assertEquals(new Box(32, 85.333336f, 352, 938.6667f),
                Sam2ImageProcessor.toModelFrame(new Box(10, 20, 110, 220), 320, 240));
        // 240x320: x * 4.2667, y * 3.2
        assertEquals(new Box(42.666668f, 64, 469.33334f, 704),
                Sam2ImageProcessor.toModelFrame(new Box(10, 20, 110, 220), 240, 320));
        assertEquals(new Box(0, 0, 1024, 1024), Sam2ImageProcessor.toModelFrame(new Box(0, 0, 640, 480), 640, 480));
    }

    @Test
    void lowResLogitsGoBackAsEachFamilysRunnerResizesThem() {
        float[] low = new float[256 * 256];
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                low[y * 256 + x] = ((7 * x + 13 * y) % 17) - 8;
            }
        }
        int cases = 0;
        for (JsonElement e : sam2().getAsJsonArray("masks")) {
            JsonObject c = e.getAsJsonObject();
            int w = c.get("w").getAsInt();
            int h = c.get("h").getAsInt();
            SamFormat format = c.get("family").getAsString().equals("samexporter") ? SamFormat.SAM2_SAMEXPORTER
                    : SamFormat.SAM2_HF;
            float[] out = Sam2Geometry.of(format, Sam2ImageProcessor.onnxCommunity()).toOriginal(low, w, h);
            // PyTorch and SamMaskPostprocessor compute the source coordinate with different float/double steps:
            // the logits agree to a few 1e-4, far below anything the > 0 threshold could notice
            assertArrayEquals(Goldens.hexFloats(c.get("out").getAsString()), out, 5e-4f, format + " " + w + "x" + h);
            cases++;
        }
        assertEquals(4, cases);
    }

    @Test
    void processorConfigIsFollowedOrRefused() {
        Sam2ImageProcessor p = Sam2ImageProcessor.fromJsonString("{\"size\": {\"height\": 1024, \"width\": 1024}, "
                + "\"image_mean\": [0.5, 0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5], \"resample\": 2}", "test.json");
        assertEquals(Sam2ImageProcessor.Resize.ANTIALIASED, p.resize());
        float[] v = p.pixelValues(new RgbImage(1, 1, new byte[] {(byte) 255, 0, 0}));
        assertEquals(1f, v[0], 1e-6f); // (1 - 0.5) / 0.5
        assertEquals(-1f, v[1024 * 1024], 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sam2ImageProcessor.fromJsonString("{\"size\": {\"longest_edge\": 1024}}", "old.json"));
        assertTrue(e.getMessage().contains("old.json") && e.getMessage().contains("longest_edge"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sam2ImageProcessor.fromJsonString("{\"size\": {\"height\": 512, \"width\": 512}}", "small.json"));
        assertTrue(e.getMessage().contains("small.json") && e.getMessage().contains("\"height\":512"), e.getMessage());
    }
}
