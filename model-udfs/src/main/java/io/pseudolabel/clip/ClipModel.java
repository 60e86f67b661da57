package io.pseudolabel.clip;

import io.pseudolabel.image.ClipImageConfig;
import io.pseudolabel.image.ClipImageProcessor;
import io.pseudolabel.image.Resampler;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.onnx.Feed;
import io.pseudolabel.onnx.Fetched;
import io.pseudolabel.onnx.ModelContractException;
import io.pseudolabel.onnx.ModelFiles;
import io.pseudolabel.onnx.OnnxGraph;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.onnx.TensorSpec;
import io.pseudolabel.onnx.Tensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP over a model directory: {@code onnx/vision_model.onnx} + {@code onnx/text_model.onnx} (split),
 * or {@code onnx/model.onnx} (combined), with {@code tokenizer.json} and {@code preprocessor_config.json}.
 * Split embeddings come out unnormalised; we normalise both sides ourselves in every case.
 */
public final class ClipModel implements AutoCloseable {
    private static final String ROLE = "CLIP";

    private final Path dir;
    private final ClipFormat format;
    private final OnnxGraph vision;
    private final OnnxGraph text;
    private final ClipTokenizer tokenizer;
    private final ClipImageProcessor processor;

    private ClipModel(Path dir, ClipFormat format, OnnxGraph vision, OnnxGraph text, ClipTokenizer tokenizer,
            ClipImageProcessor processor) {
        this.dir = dir;
        this.format = format;
        this.vision = vision;
        this.text = text;
        this.tokenizer = tokenizer;
        this.processor = processor;
    }

    public static ClipModel load(Path dir, RuntimeOptions options) {
        ModelFiles.requireDirectory(dir, ROLE);
        Path visionFile = ModelFiles.first(dir, "vision_model.onnx");
        Path textFile = ModelFiles.first(dir, "text_model.onnx");
        Path combinedFile = ModelFiles.first(dir, "model.onnx");
        Path tokenizerFile = ModelFiles.requireFile(dir, "tokenizer.json", ROLE);
        Path configFile = ModelFiles.requireFile(dir, "preprocessor_config.json", ROLE);
        ClipImageProcessor processor = new ClipImageProcessor(ClipImageConfig.fromJson(configFile));
        if (visionFile != null && textFile != null) {
            OnnxGraph vision = OnnxGraph.load(visionFile, options);
            OnnxGraph text = null;
            try {
                vision.requireInputs("CLIP vision", "pixel_values");
                vision.requireOutputs("CLIP vision", "image_embeds");
                requireRank(vision, "pixel_values", 4);
                text = OnnxGraph.load(textFile, options);
                text.requireInputs("CLIP text", "input_ids");
                text.requireOutputs("CLIP text", "text_embeds");
                return new ClipModel(dir, ClipFormat.SPLIT, vision, text, new ClipTokenizer(tokenizerFile), processor);
            } catch (RuntimeException e) {
                vision.close();
                if (text != null) {
                    text.close();
                }
                throw e;
            }
        }
        if (combinedFile != null) {
            OnnxGraph combined = OnnxGraph.load(combinedFile, options);
            try {
                combined.requireInputs("CLIP combined", "input_ids", "pixel_values", "attention_mask");
                combined.requireOutputs("CLIP combined", "image_embeds", "text_embeds");
                requireRank(combined, "pixel_values", 4);
                return new ClipModel(dir, ClipFormat.COMBINED, combined, combined, new ClipTokenizer(tokenizerFile),
                        processor);
            } catch (RuntimeException e) {
                combined.close();
                throw e;
            }
        }
        throw new ModelContractException("CLIP directory " + dir + " has neither onnx/vision_model.onnx + "
                + "onnx/text_model.onnx (split export) nor onnx/model.onnx (combined export); found "
                + ModelFiles.onnxFiles(dir));
    }

    private static void requireRank(OnnxGraph graph, String input, int rank) {
        TensorSpec spec = graph.signature().input(input);
        if (spec.rank() != rank) {
            throw new ModelContractException("CLIP graph " + graph.file() + " input " + spec + " should have rank "
                    + rank);
        }
    }

    public ClipFormat format() {
        return format;
    }

    public String describe() {
        return format == ClipFormat.SPLIT
                ? "CLIP split: vision " + vision.signature().describe() + " | text " + text.signature().describe()
                : "CLIP combined: " + vision.signature().describe();
    }

    /** {width, height} of the vision model's input (the crop size), which training views are resized to. */
    public int[] inputSize() {
        return processor.inputSize();
    }

    /** The resampler CLIP preprocessing resizes with. */
    public Resampler.Filter resample() {
        return processor.config().resample();
    }

    /** CLIPImageProcessor output for one image: float CHW at the crop size. */
    public float[] preprocess(RgbImage image) {
        return processor.pixelValues(image);
    }

    /**
     * Class embeddings: every class name in every template ("a photo of a {}."), embedded in batches
     * of {@code batchSize}, then averaged per class.
     */
    public ClipTextEmbeddings embedClasses(List<String> classNames, List<String> templates, int batchSize,
            String fingerprint) {
        List<String> prompts = new ArrayList<>();
        for (String name : classNames) {
            for (String template : templates) {
                prompts.add(template.replace("{}", name));
            }
        }
        float[][] raw = new float[prompts.size()][];
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<String> chunk = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
            float[][] emb = embedTexts(chunk);
            System.arraycopy(emb, 0, raw, start, emb.length);
        }
        return new ClipTextEmbeddings(classNames, ClipZeroShot.classEmbeddings(raw, templates.size()), fingerprint);
    }

    private float[][] embedTexts(List<String> prompts) {
        ClipTokenizer.TokenBatch batch = tokenizer.encode(prompts);
        Feed feed = new Feed().longs("input_ids", batch.ids(), batch.rows(), batch.length());
        if (format == ClipFormat.COMBINED) {
            int s = processor.cropHeight();
            int w = processor.cropWidth();
            feed.longs("attention_mask", batch.attentionMask(), batch.rows(), batch.length())
                    .floats("pixel_values", new float[3 * s * w], 1, 3, s, w);
        }
        return rows(text.run(feed), "text_embeds");
    }

    /** Image embeddings (unnormalised for split exports) of preprocessed images, one batch call. */
    public float[][] embedImages(List<float[]> pixelValues) {
        if (pixelValues.isEmpty()) {
            return new float[0][];
        }
        int h = processor.cropHeight();
        int w = processor.cropWidth();
        Feed feed = new Feed().floats("pixel_values", Tensors.concat(pixelValues),
                pixelValues.size(), 3, h, w);
        if (format == ClipFormat.COMBINED) {
            ClipTokenizer.TokenBatch dummy = tokenizer.encode(List.of(""));
            feed.longs("input_ids", dummy.ids(), 1, dummy.length())
                    .longs("attention_mask", dummy.attentionMask(), 1, dummy.length());
        }
        return rows(vision.run(feed), "image_embeds");
    }

    private static float[][] rows(Fetched out, String name) {
        float[] flat = out.get(name);
        long[] shape = out.shape(name);
        int n = (int) shape[0];
        int d = (int) shape[1];
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, rows[i], 0, d);
        }
        return rows;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        tokenizer.close();
        vision.close();
        if (text != vision) {
            text.close();
        }
    }
}
