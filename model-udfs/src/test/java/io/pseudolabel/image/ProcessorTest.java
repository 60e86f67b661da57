package io.pseudolabel.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.pseudolabel.geom.Box;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessorTest {

    static RgbImage constant(int w, int h, int r, int g, int b) {
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(w, h, px);
    }

    // ------------------------------------------------------------------ Pillow/numpy pipelines

    @Test
    void pipelinesMatchHfExactly() {
        int n = 0;
        for (JsonElement e : Goldens.root().getAsJsonArray("processors")) {
            JsonObject c = e.getAsJsonObject();
            RgbImage src = new RgbImage(c.get("w").getAsInt(), c.get("h").getAsInt(), Goldens.hex(c.get("src").getAsString()));
            String config = c.get("config").toString();
            float[] expected = Goldens.hexFloats(c.get("out").getAsString());
            float[] got = c.get("kind").getAsString().equals("clip")
                    ? new ClipImageProcessor(ClipImageConfig.fromJsonString(config, "golden")).pixelValues(src)
                    : new DinoImageProcessor(DinoImageConfig.fromJsonString(config, "golden")).pixelValues(src);
            assertArrayEquals(expected, got, 0f, c.get("kind").getAsString()); // bit-exact float32
            n++;
        }
        assertEquals(2, n);
    }

    // ------------------------------------------------------------------ CLIP

    @Test
    void clipResizesShortestEdgeAndCropsWithFloorOffsets() {
        ClipImageProcessor p = new ClipImageProcessor();
        assertArrayEquals(new int[] {298, 224}, p.resizedSize(640, 480)); // int(224*640/480 = 298.67)
        assertArrayEquals(new int[] {224, 298}, p.resizedSize(480, 640));
        assertArrayEquals(new int[] {224, 224}, p.resizedSize(100, 100));
        assertArrayEquals(new int[] {224, 2240}, p.resizedSize(10, 100));
        assertArrayEquals(new int[] {37, 0}, ClipImageProcessor.cropOffset(298, 224, 224, 224)); // 74 // 2
        assertArrayEquals(new int[] {0, 37}, ClipImageProcessor.cropOffset(224, 299, 224, 224)); // 75 // 2 = 37
        assertEquals(224, p.cropHeight());
        assertEquals(224, p.cropWidth());
        float[] v = p.pixelValues(constant(640, 480, 255, 0, 128));
        assertEquals(3 * 224 * 224, v.length);
        int plane = 224 * 224;
        assertEquals(1.9303361f, v[0], 0f);
        assertEquals(-1.7520971f, v[plane + 5000], 0f);
        assertEquals(0.33994877f, v[2 * plane + plane - 1], 0f);
    }

    @Test
    void clipCropPadsWithZeroPixelsWhenTheImageIsSmaller() {
        ClipImageConfig cfg = ClipImageConfig.fromJsonString(
                "{\"do_resize\": false, \"crop_size\": {\"height\": 4, \"width\": 4}}", "t");
        // 2x1 image: pads to 4x4, image at rows [2,3) ceil((4-1)/2)=2, cols [1,3)
        assertArrayEquals(new int[] {-1, -2}, ClipImageProcessor.cropOffset(2, 1, 4, 4));
        float[] v = new ClipImageProcessor(cfg).pixelValues(constant(2, 1, 255, 255, 255));
        float zero = (0f - 0.48145466f) / 0.26862954f;
        float white = 1.9303361f;
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                boolean inside = y == 2 && (x == 1 || x == 2);
                assertEquals(inside ? white : zero, v[y * 4 + x], 0f, x + "," + y);
            }
        }
    }

    @Test
    void clipConfigForms(@TempDir Path dir) throws Exception {
        Path legacy = dir.resolve("legacy.json");
        Files.writeString(legacy, "{\"size\": 224, \"crop_size\": 224, \"resample\": 3, \"do_center_crop\": true,"
                + " \"image_processor_type\": \"CLIPImageProcessor\"}");
        ClipImageConfig a = ClipImageConfig.fromJson(legacy);
        assertEquals(224, a.shortestEdge());
        assertEquals(224, a.cropHeight());
        Path xenova = dir.resolve("xenova.json");
        Files.writeString(xenova, "{\"crop_size\": {\"height\": 224, \"width\": 224}, \"do_center_crop\": true,"
                + " \"do_convert_rgb\": true, \"do_normalize\": true, \"do_rescale\": true, \"do_resize\": true,"
                + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
                + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"resample\": 3,"
                + " \"rescale_factor\": 0.00392156862745098, \"size\": {\"shortest_edge\": 224}}");
        ClipImageConfig b = ClipImageConfig.fromJson(xenova);
        assertEquals(224, b.shortestEdge());
        assertEquals(Resampler.Filter.BICUBIC, b.resample());
        assertArrayEquals(ClipImageConfig.OPENAI_CLIP_STD, b.imageStd(), 0f);
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"size\": {\"shortest_edge\": \"big\"}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipImageConfig.fromJson(bad));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("size.shortest_edge"), e.getMessage());
        Files.writeString(bad, "{\"resample\": 1}");
        assertThrows(IllegalArgumentException.class, () -> ClipImageConfig.fromJson(bad));
        Files.writeString(bad, "{\"image_mean\": [0.5, 0.5]}");
        assertThrows(IllegalArgumentException.class, () -> ClipImageConfig.fromJson(bad));
    }

    // ------------------------------------------------------------------ Grounding-DINO

    @Test
    void dinoShortestLongestRule() {
        DinoImageProcessor p = new DinoImageProcessor();
        assertArrayEquals(new int[] {1066, 800}, p.targetSize(640, 480)); // int(), not round() (1067)
        assertArrayEquals(new int[] {800, 1200}, p.targetSize(408, 612)); // not t.js's 888x1333
        assertArrayEquals(new int[] {1332, 333}, p.targetSize(2000, 500)); // 1333*500/2000 = 333.25 -> 333
        assertArrayEquals(new int[] {800, 800}, p.targetSize(50, 50));
        assertArrayEquals(new int[] {1333, 800}, p.targetSize(1333, 800)); // already there
        // round() is Python's half-to-even: 15*6/20 = 4.5 -> 4
        assertArrayEquals(new int[] {13, 4}, DinoImageProcessor.sizeWithAspectRatio(20, 6, 10, 15));
        assertArrayEquals(new int[] {1200, 800}, DinoImageProcessor.sizeWithAspectRatio(612, 408, 800, null));
    }

    @Test
    void dinoFixedSizeFromConfig(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("preprocessor_config.json");
        Files.writeString(cfg, "{\"do_normalize\": true, \"do_pad\": true, \"do_rescale\": true, \"do_resize\": true,"
                + " \"format\": \"coco_detection\", \"image_mean\": [0.485, 0.456, 0.406],"
                + " \"image_processor_type\": \"GroundingDinoImageProcessor\", \"image_std\": [0.229, 0.224, 0.225],"
                + " \"resample\": 2, \"rescale_factor\": 0.00392156862745098, \"size\": {\"height\": 800, \"width\": 800}}");
        DinoImageProcessor p = new DinoImageProcessor(DinoImageConfig.fromJson(cfg));
        assertTrue(p.config().isFixedSize());
        assertArrayEquals(new int[] {800, 800}, p.targetSize(640, 480));
        float[] v = p.pixelValues(constant(64, 48, 0, 200, 0));
        assertEquals(3 * 800 * 800, v.length);
        assertEquals(-2.117904f, v[0], 0f);
        assertEquals(1.4656863f, v[800 * 800 + 12345], 0f);

        Files.writeString(cfg, "{\"size\": {\"shortest_edge\": 800, \"longest_edge\": 1333}, \"resample\": 2}");
        assertArrayEquals(new int[] {1066, 800}, new DinoImageProcessor(DinoImageConfig.fromJson(cfg)).targetSize(640, 480));
        Files.writeString(cfg, "{\"size\": {\"width\": 800}}");
        assertThrows(IllegalArgumentException.class, () -> DinoImageConfig.fromJson(cfg));
    }

    // ------------------------------------------------------------------ SAM

    @Test
    void samResizedSizeUsesPlusHalfRounding() {
        assertArrayEquals(new int[] {683, 1024}, SamImageProcessor.resizedSize(1500, 2250, 1024)); // t.js gives 682
        assertArrayEquals(new int[] {1024, 768}, SamImageProcessor.resizedSize(640, 480, 1024));
        assertArrayEquals(new int[] {1024, 1024}, SamImageProcessor.resizedSize(1, 1, 1024));
        assertArrayEquals(new int[] {1024, 1}, SamImageProcessor.resizedSize(3000, 1, 1024)); // int(0.34 + 0.5) = 0, kept at 1
    }

    @Test
    void samPadsWithZerosAfterNormalising() {
        SamImageProcessor p = new SamImageProcessor();
        float[] v = p.paddedPixelValues(constant(2, 1, 0, 200, 0)); // -> 1024x512
        assertEquals(3 * 1024 * 1024, v.length);
        int plane = 1024 * 1024;
        assertEquals(-2.117904f, v[0], 0f); // red 0 normalised
        assertEquals(-2.117904f, v[511 * 1024 + 1023], 0f); // last resized row
        assertEquals(0f, v[512 * 1024], 0f); // first padded row: zero, not normalised zero
        assertEquals(0f, v[plane - 1], 0f);
        assertEquals(1.4656863f, v[plane + 100], 0f);
        assertEquals(0f, v[2 * plane + 1000 * 1024 + 3], 0f);

        float[] hwc = p.resizedHwc0to255(constant(2, 1, 0, 200, 7));
        assertEquals(1024 * 512 * 3, hwc.length);
        assertEquals(200f, hwc[1], 0f);
        assertEquals(7f, hwc[hwc.length - 1], 0f);
    }

    @Test
    void samCoordinatesScalePerAxis() {
        SamImageProcessor p = new SamImageProcessor();
        float[] pt = p.toModelFrame(100f, 200f, 2250, 1500); // new size 1024 x 683
        assertEquals((float) (100 * (1024 / 2250.0)), pt[0], 0f);
        assertEquals((float) (200 * (683 / 1500.0)), pt[1], 0f);
        assertEquals(45.511112f, pt[0], 1e-5f);
        assertEquals(91.066666f, pt[1], 1e-5f);
        Box b = p.toModelFrame(new Box(0, 0, 2250, 1500), 2250, 1500);
        assertEquals(new Box(0, 0, 1024, 683), b);
    }

    @Test
    void samConfig(@TempDir Path dir) throws Exception {
        assertEquals(1024, SamImageConfig.fromDirectory(dir).longestEdge()); // no file: official constants
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"do_convert_rgb\": true, \"do_normalize\": true,"
                + " \"do_pad\": true, \"do_rescale\": true, \"do_resize\": true, \"image_mean\": [0.485, 0.456, 0.406],"
                + " \"image_std\": [0.229, 0.224, 0.225], \"pad_size\": {\"height\": 1024, \"width\": 1024},"
                + " \"resample\": 2, \"rescale_factor\": 0.00392156862745098, \"size\": {\"longest_edge\": 1024}}");
        SamImageConfig c = SamImageConfig.fromDirectory(dir);
        assertEquals(1024, c.padHeight());
        assertEquals(Resampler.Filter.BILINEAR, c.resample());
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"size\": {\"longest_edge\": 1024}, \"pad_size\": 512}");
        assertThrows(IllegalArgumentException.class, () -> SamImageConfig.fromDirectory(dir));
    }
}
