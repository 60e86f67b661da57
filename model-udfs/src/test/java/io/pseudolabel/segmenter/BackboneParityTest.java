package io.pseudolabel.segmenter;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our ResNet backbone against torchvision's: the fixtures of {@code model-udfs/fixtures/make_backbone_fixtures.py}
 * are narrow ResNets built from torchvision's own BasicBlock / Bottleneck with random weights and BN statistics,
 * saved as torchvision state dicts (F32, F16, BF16), with the stride-4 and stride-16 features torchvision computes
 * for a fixed input (last stage dilated). Loaded through the product's safetensors reader and name mapping, our
 * backbone in inference mode must give the same features.
 */
class BackboneParityTest {

    static Path backbones() {
        Path p = Path.of("fixtures", "backbones");
        return Files.isDirectory(p) ? p.toAbsolutePath() : Path.of("model-udfs", "fixtures", "backbones").toAbsolutePath();
    }

    static SegmenterConfig config(int depth, int base) {
        return new SegmenterConfig(depth, 3, base, 8, 8, 8, 0f, 32, 1f, 1f, CropMode.RANDOM, true, 1, Optimizer.SGD, 0.01f, 0.9f, 0f, 0, 5L);
    }

    static Safetensors.File read(String file) throws IOException {
        Path p = backbones().resolve(file);
        return Safetensors.read(Files.readAllBytes(p), p.toString());
    }

    @ParameterizedTest
    @CsvSource({"resnet18-w8, 18, 8, F16", "resnet34-w4, 34, 4, BF16", "resnet50-w4, 50, 4, F16",
            "resnet101-w2, 101, 2, F32"})
    void featuresMatchTorchvision(String name, int depth, int base, String dtype) throws IOException {
        Safetensors.File weights = read(name + ".safetensors");
        assertEquals(dtype, weights.entries().get("conv1.weight").dtype().name());
        Safetensors.File expected = read(name + ".features.safetensors");
        try (SegmenterTrainer t = new SegmenterTrainer(config(depth, base), Device.cpu());
                NDManager m = NDManager.newBaseManager(Device.cpu(), SegmenterTrainer.ENGINE)) {
            BackboneWeights.Loaded loaded = t.loadBackbone(weights);
            long skipped = weights.entries().keySet().stream()
                    .filter(n -> n.startsWith("fc.") || n.endsWith("num_batches_tracked")).count();
            assertEquals(weights.entries().size() - skipped, loaded.loaded());
            assertEquals(skipped, loaded.ignored().size());
            System.out.println(loaded.summary(name));

            Safetensors.Entry in = expected.entries().get("input");
            NDArray x = m.create(expected.floats("input"), new Shape(in.shape()));
            boolean prev = JniUtils.isGradMode();
            NDList out;
            try {
                JniUtils.setGradMode(false);
                out = t.block().backbone().forward(new ParameterStore(m, false), new NDList(x), false);
            } finally {
                JniUtils.setGradMode(prev);
            }
            List<String> report = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String key = i == 0 ? "low" : "high";
                NDArray ours = out.get(i);
                assertArrayEquals(expected.entries().get(key).shape(), ours.getShape().getShape(), key + " shape");
                float[] a = ours.toFloatArray();
                float[] b = expected.floats(key);
                double max = 0;
                double scale = 0;
                for (int k = 0; k < a.length; k++) {
                    max = Math.max(max, Math.abs(a[k] - b[k]));
                    scale = Math.max(scale, Math.abs(b[k]));
                }
                report.add(String.format(Locale.ROOT, "%s %s max |diff| %.2e (max |value| %.2f)", key,
                        Arrays.toString(ours.getShape().getShape()), max, scale));
                assertTrue(max < 1e-4, name + " " + key + ": max |ours - torchvision| = " + max);
                assertTrue(scale > 1, name + " " + key + ": features too small to compare: " + scale);
            }
            System.out.println("torchvision parity " + name + ": " + String.join("; ", report));
        }
    }

    /**
     * The names and shapes our loader expects for full-width ResNet-50 and ResNet-101 are exactly torchvision's
     * {@code resnet50()}/{@code resnet101()} state dicts (the committed list), less {@code fc.*} and
     * {@code num_batches_tracked}.
     */
    @ParameterizedTest
    @CsvSource({"50", "101"})
    void fullResNetNamesAndShapesAreTorchvisions(int depth) throws IOException {
        LinkedHashMap<String, long[]> torchvision = new LinkedHashMap<>();
        for (String line : Files.readAllLines(backbones().resolve("torchvision-resnet" + depth + ".txt"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            long[] shape = f.length < 2 ? new long[0] : Arrays.stream(f[1].split(",")).mapToLong(Long::parseLong).toArray();
            torchvision.put(f[0], shape);
        }
        assertEquals(depth == 50 ? 320 : 626, torchvision.size());
        torchvision.keySet().removeIf(n -> n.startsWith("fc.") || n.endsWith("num_batches_tracked"));
        try (SegmenterTrainer t = new SegmenterTrainer(config(depth, 64), Device.cpu())) {
            Map<String, long[]> ours = BackboneWeights.expected(t.parameterShapes());
            assertEquals(new ArrayList<>(torchvision.keySet()), new ArrayList<>(ours.keySet()),
                    "names in torchvision's order");
            for (Map.Entry<String, long[]> e : torchvision.entrySet()) {
                assertArrayEquals(e.getValue(), ours.get(e.getKey()), e.getKey());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"resnet50-w4, 101, 4, layer3.6.conv1.weight", "resnet18-w8, 34, 8, layer1.2.conv1.weight",
            "resnet18-w8, 18, 16, conv1.weight", "resnet34-w4, 50, 4, layer1.0.conv3.weight"})
    void refusesAFileOfAnotherArchitectureNamingTheTensor(String file, int depth, int base, String named)
            throws IOException {
        Safetensors.File weights = read(file + ".safetensors");
        try (SegmenterTrainer t = new SegmenterTrainer(config(depth, base), Device.cpu())) {
            SegmenterWeights before = t.snapshot();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.loadBackbone(weights));
            assertTrue(e.getMessage().contains(named), e.getMessage());
            assertTrue(e.getMessage().contains(file + ".safetensors"), e.getMessage());
            assertEquals(before, t.snapshot(), "a refused file changes nothing");
        }
    }
}
