package io.pseudolabel.dino;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.pseudolabel.image.DinoImageConfig;
import io.pseudolabel.image.DinoImageProcessor;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.onnx.Feed;
import io.pseudolabel.onnx.Fetched;
import io.pseudolabel.onnx.ModelContractException;
import io.pseudolabel.onnx.ModelFiles;
import io.pseudolabel.onnx.OnnxGraph;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.onnx.TensorSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Grounding-DINO over an onnx-community layout directory: {@code onnx/model.onnx}, {@code tokenizer.json}
 * and {@code preprocessor_config.json} (whose {@code size} decides the resize rule).
 */
public final class DinoModel implements AutoCloseable {
    private static final String ROLE = "Grounding-DINO";

    private final OnnxGraph graph;
    private final HuggingFaceTokenizer tokenizer;
    private final DinoImageProcessor processor;
    private final DinoSettings settings;
    private final DinoGeometry geometry;

    private DinoModel(OnnxGraph graph, HuggingFaceTokenizer tokenizer, DinoImageProcessor processor,
            DinoSettings settings, DinoGeometry geometry) {
        this.graph = graph;
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.settings = settings;
        this.geometry = geometry;
    }

    public static DinoModel load(Path dir, RuntimeOptions options, DinoSettings settings) {
        return load(dir, options, settings, UnaryOperator.identity());
    }

    /**
     * As {@link #load(Path, RuntimeOptions, DinoSettings)}, with the contract's box geometry passed through
     * {@code geometry} first (identity in the product; tests substitute wrong geometries to show they fail).
     */
    public static DinoModel load(Path dir, RuntimeOptions options, DinoSettings settings,
            UnaryOperator<DinoGeometry> geometry) {
        ModelFiles.requireDirectory(dir, ROLE);
        Path file = ModelFiles.first(dir, settings.modelFile());
        if (file == null) {
            throw new ModelContractException(ROLE + " directory " + dir + " has no onnx/" + settings.modelFile());
        }
        Path tokenizerFile = ModelFiles.requireFile(dir, "tokenizer.json", ROLE);
        Path configFile = ModelFiles.requireFile(dir, "preprocessor_config.json", ROLE);
        DinoImageProcessor processor = new DinoImageProcessor(DinoImageConfig.fromJson(configFile));
        OnnxGraph graph = OnnxGraph.load(file, options);
        try {
            graph.requireInputs(ROLE, "pixel_values", "input_ids", "attention_mask");
            graph.requireOutputs(ROLE, "logits", "pred_boxes");
            TensorSpec pixels = graph.signature().input("pixel_values");
            if (pixels.rank() != 4) {
                throw new ModelContractException(ROLE + " graph " + file + " input " + pixels + " should have rank 4");
            }
            checkSize(graph, processor.targetSize(640, 480), configFile);
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile,
                    Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false"));
            return new DinoModel(graph, tokenizer, processor, settings, geometry.apply(DinoGeometry.CONTRACT));
        } catch (IOException | RuntimeException e) {
            graph.close();
            if (e instanceof ModelContractException m) {
                throw m;
            }
            throw new ModelContractException("cannot load " + ROLE + " from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A graph exported at a fixed input size must agree with the preprocessor's resize rule. */
    private static void checkSize(OnnxGraph graph, int[] widthHeight, Path configFile) {
        TensorSpec pixels = graph.signature().input("pixel_values");
        long h = pixels.shape()[2];
        long w = pixels.shape()[3];
        if ((h > 0 && h != widthHeight[1]) || (w > 0 && w != widthHeight[0])) {
            throw new ModelContractException(ROLE + " graph " + graph.file() + " takes " + pixels + " but "
                    + configFile + " resizes a 640x480 image to " + widthHeight[0] + "x" + widthHeight[1]);
        }
    }

    public String describe() {
        return "Grounding-DINO: " + graph.signature().describe();
    }

    /** The image as the graph's {@code pixel_values}, CHW at the configured resize. Pure CPU work. */
    public float[] preprocess(RgbImage image) {
        return processor.pixelValues(image);
    }

    /** Boxes for the given class names in one image, after per-class NMS. */
    public List<Detection> detect(RgbImage image, List<String> classNames) {
        return detect(image, preprocess(image), classNames);
    }

    /** As {@link #detect(RgbImage, List)} with {@code pixels} from {@link #preprocess}. */
    public List<Detection> detect(RgbImage image, float[] pixels, List<String> classNames) {
        if (classNames.isEmpty()) {
            return List.of();
        }
        int[] size = processor.targetSize(image.width(), image.height());
        List<Detection> all = new ArrayList<>();
        if (settings.promptMode() == PromptMode.JOINT) {
            int[] classes = new int[classNames.size()];
            Arrays.setAll(classes, i -> i);
            all.addAll(run(image, pixels, size, classNames, classes));
        } else {
            for (int c = 0; c < classNames.size(); c++) {
                all.addAll(run(image, pixels, size, List.of(classNames.get(c)), new int[] {c}));
            }
        }
        return Nms.perClass(all, settings.nmsIou(), settings.maxDetectionsPerClass());
    }

    private List<Detection> run(RgbImage image, float[] pixels, int[] size, List<String> phrases, int[] phraseClass) {
        String prompt = DinoPrompt.text(phrases);
        Encoding enc = tokenizer.encode(prompt);
        long[] ids = enc.getIds();
        DinoPrompt.checkLength(ids.length, prompt);
        int t = ids.length;
        int w = size[0];
        int h = size[1];
        Feed feed = new Feed().floats("pixel_values", pixels, 1, 3, h, w)
                .longs("input_ids", ids, 1, t)
                .longs("attention_mask", filled(t, 1), 1, t);
        if (graph.signature().hasInput("token_type_ids")) {
            feed.longs("token_type_ids", new long[t], 1, t);
        }
        if (graph.signature().hasInput("pixel_mask")) {
            feed.longs("pixel_mask", filled(h * w, 1), 1, h, w);
        }
        Fetched out = graph.run(feed);
        long[] shape = out.shape("logits");
        return DinoPostprocessor.decode(out.get("logits"), out.get("pred_boxes"), (int) shape[1], (int) shape[2],
                DinoPrompt.tokenPhrases(enc.getTokens()), enc.getTokens(), phraseClass, settings.boxThreshold(),
                settings.textThreshold(), geometry, image.width(), image.height(), w, h);
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    @Override
    public void close() {
        tokenizer.close();
        graph.close();
    }
}
