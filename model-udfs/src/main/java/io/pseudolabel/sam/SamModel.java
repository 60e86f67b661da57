package io.pseudolabel.sam;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.image.Sam2ImageProcessor;
import io.pseudolabel.image.SamImageConfig;
import io.pseudolabel.image.SamImageProcessor;
import io.pseudolabel.masks.BitMask;
import io.pseudolabel.masks.Candidate;
import io.pseudolabel.onnx.Feed;
import io.pseudolabel.onnx.Fetched;
import io.pseudolabel.onnx.GraphSignature;
import io.pseudolabel.onnx.ModelContractException;
import io.pseudolabel.onnx.ModelFiles;
import io.pseudolabel.onnx.OnnxGraph;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.onnx.TensorSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * SAM over a model directory holding an encoder and a decoder, found by role ({@code *encoder*.onnx},
 * {@code *decoder*.onnx} under {@code onnx/} or the root) unless named in config. The format (SAM 1 official
 * or HF, SAM 2.1 samexporter or onnx-community) is read from the graphs' input names; every candidate mask is
 * returned with its predicted IoU (and, where the export has it, the decoder's object score).
 */
public final class SamModel implements AutoCloseable {
    private static final String ROLE = "SAM";
    private static final int EMBED = 256 * 64 * 64;
    private static final int HIGH_RES_0 = 32 * 256 * 256;
    private static final int HIGH_RES_1 = 64 * 128 * 128;
    private static final int FRAME_PIXELS = 3 * 1024 * 1024;
    /** SAM 2.1's three encoder outputs per family: {high_res_feats_0, high_res_feats_1, image_embed}. */
    private static final List<String> SAMEXPORTER_FEATURES = List.of("high_res_feats_0", "high_res_feats_1",
            "image_embed");
    private static final List<String> HF2_FEATURES = List.of("image_embeddings.0", "image_embeddings.1",
            "image_embeddings.2");
    private static final String[] SAMEXPORTER_DECODER = {"image_embed", "high_res_feats_0", "high_res_feats_1",
        "point_coords", "point_labels", "mask_input", "has_mask_input"};
    private static final String[] HF2_DECODER = {"input_points", "input_labels", "input_boxes", "image_embeddings.0",
        "image_embeddings.1", "image_embeddings.2"};

    private final OnnxGraph encoder;
    private final OnnxGraph decoder;
    private final SamFormat format;
    private final SamFormat.EncoderInput encoderInput;
    private final String encoderInputName;
    private final SamImageProcessor processor;
    private final Sam1Geometry sam1;
    private final Sam2Geometry geometry;
    private final float maskThreshold;
    private final int encoderBatch;

    private SamModel(OnnxGraph encoder, OnnxGraph decoder, SamFormat format, SamFormat.EncoderInput encoderInput,
            String encoderInputName, SamImageProcessor processor, Sam1Geometry sam1, Sam2Geometry geometry,
            float maskThreshold, int encoderBatch) {
        this.encoder = encoder;
        this.decoder = decoder;
        this.format = format;
        this.encoderInput = encoderInput;
        this.encoderInputName = encoderInputName;
        this.processor = processor;
        this.sam1 = sam1;
        this.geometry = geometry;
        this.maskThreshold = maskThreshold;
        this.encoderBatch = encoderBatch;
    }

    public static SamModel load(Path dir, RuntimeOptions options, SamSettings settings) {
        return load(dir, options, settings, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * As {@link #load(Path, RuntimeOptions, SamSettings)}, with SAM 1's contract geometry passed through {@code sam1}
     * and SAM 2.1's through {@code sam2} first (identity in the product; tests substitute wrong geometries to show
     * they fail). Each export uses only its own generation's.
     */
    public static SamModel load(Path dir, RuntimeOptions options, SamSettings settings,
            UnaryOperator<Sam1Geometry> sam1, UnaryOperator<Sam2Geometry> sam2) {
        ModelFiles.requireDirectory(dir, ROLE);
        Path encoderFile = ModelFiles.byRole(dir, "encoder", "decoder", settings.encoderFile(), ROLE);
        Path decoderFile = ModelFiles.byRole(dir, "decoder", settings.decoderFile(), ROLE);
        OnnxGraph encoder = OnnxGraph.load(encoderFile, options);
        OnnxGraph decoder = null;
        try {
            decoder = OnnxGraph.load(decoderFile, options);
            SamFormat format = decoderFormat(decoder);
            if (format.isSam2()) {
                String input = sam2EncoderInput(encoder, format);
                Sam2ImageProcessor p = format == SamFormat.SAM2_HF ? Sam2ImageProcessor.fromDirectory(dir)
                        : Sam2ImageProcessor.samexporter();
                Sam2Geometry g = sam2.apply(Sam2Geometry.of(format, p));
                int batch = encoder.signature().input(input).shape()[0] < 0 ? settings.imageBatchSize() : 1;
                return new SamModel(encoder, decoder, format, SamFormat.EncoderInput.CHW_NORMALIZED, input, null, null,
                        g, settings.maskThreshold(), batch);
            }
            Path config = dir.resolve("preprocessor_config.json");
            SamImageProcessor processor = Files.isRegularFile(config)
                    ? new SamImageProcessor(SamImageConfig.fromJson(config)) : new SamImageProcessor();
            encoder.requireOutputs("SAM encoder", "image_embeddings");
            if (format == SamFormat.HF_BOXES) {
                encoder.requireOutputs("SAM encoder", "image_positional_embeddings");
            }
            String inputName = encoderInputName(encoder);
            TensorSpec spec = encoder.signature().input(inputName);
            SamFormat.EncoderInput input = spec.rank() == 3
                    ? SamFormat.EncoderInput.HWC_0_255 : SamFormat.EncoderInput.CHW_NORMALIZED;
            int batch = input == SamFormat.EncoderInput.CHW_NORMALIZED && spec.shape()[0] < 0
                    ? settings.imageBatchSize() : 1;
            return new SamModel(encoder, decoder, format, input, inputName, processor,
                    sam1.apply(Sam1Geometry.of(processor)), null, settings.maskThreshold(), batch);
        } catch (RuntimeException e) {
            encoder.close();
            if (decoder != null) {
                decoder.close();
            }
            throw e;
        }
    }

    static SamFormat decoderFormat(OnnxGraph decoder) {
        GraphSignature s = decoder.signature();
        if (s.hasInput("high_res_feats_0") || s.hasInput("image_embed")) {
            decoder.requireInputs("SAM 2.1 samexporter decoder", SAMEXPORTER_DECODER);
            decoder.requireOutputs("SAM 2.1 samexporter decoder", "masks", "iou_predictions");
            return SamFormat.SAM2_SAMEXPORTER;
        }
        if (s.hasInput("image_embeddings.0") || s.hasInput("image_embeddings.2")) {
            decoder.requireInputs("SAM 2.1 onnx-community decoder", HF2_DECODER);
            decoder.requireOutputs("SAM 2.1 onnx-community decoder", "iou_scores", "pred_masks");
            requireType(decoder, "input_labels", "INT64");
            return SamFormat.SAM2_HF;
        }
        if (s.hasInput("point_coords") && s.hasInput("point_labels") && s.hasInput("orig_im_size")) {
            decoder.requireInputs("SAM official decoder", "image_embeddings", "point_coords", "point_labels",
                    "mask_input", "has_mask_input", "orig_im_size");
            decoder.requireOutputs("SAM official decoder", "masks", "iou_predictions");
            return SamFormat.OFFICIAL;
        }
        if (s.hasInput("input_boxes")) {
            decoder.requireInputs("SAM HF decoder", "image_embeddings", "image_positional_embeddings", "input_boxes");
            decoder.requireOutputs("SAM HF decoder", "pred_masks", "iou_scores");
            return SamFormat.HF_BOXES;
        }
        if (s.hasInput("input_points")) {
            throw new ModelContractException("SAM decoder " + decoder.file() + " is an HF point-only decoder (main "
                    + "branch): it cannot take a box prompt. Use the 'boxes' revision (with an input_boxes input) or "
                    + "the official segment-anything decoder. Found " + s.describe());
        }
        throw new ModelContractException("SAM decoder " + decoder.file() + " matches no known contract; expected "
                + "point_coords, point_labels, mask_input, has_mask_input, orig_im_size (SAM 1 official) or "
                + "image_embeddings, image_positional_embeddings, input_boxes (SAM 1 HF boxes) or "
                + String.join(", ", SAMEXPORTER_DECODER) + " (SAM 2.1 samexporter) or " + String.join(", ", HF2_DECODER)
                + " (SAM 2.1 onnx-community); found " + s.describe());
    }

    private static void requireType(OnnxGraph g, String input, String type) {
        TensorSpec spec = g.signature().input(input);
        if (!spec.type().equals(type)) {
            throw new ModelContractException("SAM decoder " + g.file() + " input " + spec + " must be "
                    + type.toLowerCase(Locale.ROOT) + "; found " + g.signature().describe());
        }
    }

    /**
     * The SAM 2.1 encoder's input name, after checking the encoder belongs to {@code format}'s family: samexporter
     * {@code image} [1,3,1024,1024] to {@code high_res_feats_0/1}, {@code image_embed}; onnx-community
     * {@code pixel_values} [B,3,1024,1024] to {@code image_embeddings.0/1/2}.
     */
    static String sam2EncoderInput(OnnxGraph encoder, SamFormat format) {
        boolean samexporter = format == SamFormat.SAM2_SAMEXPORTER;
        String name = samexporter ? "image" : "pixel_values";
        List<String> outputs = samexporter ? SAMEXPORTER_FEATURES : HF2_FEATURES;
        String family = format.family();
        TensorSpec spec = encoder.signature().input(name);
        if (spec == null || !outputs.stream().allMatch(encoder.signature()::hasOutput)) {
            throw new ModelContractException("SAM encoder " + encoder.file() + " does not match its decoder (" + family
                    + "): expected input " + name + " and outputs " + String.join(", ", outputs) + "; found "
                    + encoder.signature().describe());
        }
        boolean ok = spec.rank() == 4 && spec.fixedAt(1, 3) && spec.fixedAt(2, 1024) && spec.fixedAt(3, 1024)
                && (spec.shape()[0] < 0 || spec.shape()[0] == 1);
        if (!ok) {
            throw new ModelContractException("SAM encoder " + encoder.file() + " input " + spec + " is not "
                    + "[B,3,1024,1024] (" + family + ")");
        }
        return name;
    }

    static String encoderInputName(OnnxGraph encoder) {
        for (String name : List.of("pixel_values", "input_image")) {
            TensorSpec spec = encoder.signature().input(name);
            if (spec != null) {
                boolean chw = spec.rank() == 4 && spec.fixedAt(1, 3) && spec.fixedAt(2, 1024) && spec.fixedAt(3, 1024);
                boolean hwc = spec.rank() == 3 && spec.fixedAt(2, 3);
                if (chw || hwc) {
                    return name;
                }
                throw new ModelContractException("SAM encoder " + encoder.file() + " input " + spec + " is neither "
                        + "[B,3,1024,1024] nor [H,W,3]");
            }
        }
        throw new ModelContractException("SAM encoder " + encoder.file() + " has neither pixel_values nor input_image; "
                + "found " + encoder.signature().describe());
    }

    public SamFormat format() {
        return format;
    }

    /** Images per encoder call: the configured batch where the export has a batch axis, else 1. */
    public int encoderBatch() {
        return encoderBatch;
    }

    public String describe() {
        String how = format.isSam2() ? geometry.describe() : "encoder input " + encoderInput;
        return format.family() + " (" + how + "; " + encoderBatch + " image(s) per encoder call): encoder "
                + encoder.signature().describe() + " | decoder " + decoder.signature().describe();
    }

    /** The encoder input for this export (SAM 2.1: stretched CHW; SAM 1: padded CHW or resized HWC). Pure CPU work. */
    public float[] preprocess(RgbImage image) {
        if (format.isSam2()) {
            return geometry.pixelValues(image);
        }
        return encoderInput == SamFormat.EncoderInput.HWC_0_255
                ? processor.resizedHwc0to255(image) : processor.paddedPixelValues(image);
    }

    public SamEmbedding embed(RgbImage image) {
        return embed(preprocess(image), image.width(), image.height());
    }

    /** Runs the encoder on {@code input} from {@link #preprocess} of a {@code width x height} image. */
    public SamEmbedding embed(float[] input, int width, int height) {
        return embedAll(List.of(input), new int[][] {{width, height}}).get(0);
    }

    /**
     * Runs the encoder on several images' {@link #preprocess} outputs ({@code sizes[i]} = {width, height}), in
     * calls of {@link #encoderBatch()} images.
     */
    public List<SamEmbedding> embedAll(List<float[]> inputs, int[][] sizes) {
        if (inputs.size() != sizes.length) {
            throw new IllegalArgumentException(inputs.size() + " inputs for " + sizes.length + " image sizes");
        }
        List<SamEmbedding> out = new ArrayList<>(inputs.size());
        for (int start = 0; start < inputs.size(); start += encoderBatch) {
            int n = Math.min(encoderBatch, inputs.size() - start);
            out.addAll(embedBatch(inputs.subList(start, start + n), Arrays.copyOfRange(sizes, start, start + n)));
        }
        return out;
    }

    private List<SamEmbedding> embedBatch(List<float[]> inputs, int[][] sizes) {
        int n = inputs.size();
        Feed feed = new Feed();
        if (encoderInput == SamFormat.EncoderInput.HWC_0_255) {
            int[] size = SamImageProcessor.resizedSize(sizes[0][0], sizes[0][1], SamMaskPostprocessor.FRAME);
            feed.floats(encoderInputName, inputs.get(0), size[1], size[0], 3);
        } else {
            for (float[] in : inputs) {
                if (in.length != FRAME_PIXELS) {
                    throw new IllegalArgumentException("SAM encoder input holds " + in.length + " values, 3x1024x1024 "
                            + "expected");
                }
            }
            feed.floats(encoderInputName, inputs, n, 3, 1024, 1024); // copied image by image into the native buffer
        }
        Fetched out = encoder.run(feed);
        List<SamEmbedding> embeddings = new ArrayList<>(n);
        if (format.isSam2()) {
            List<String> names = format == SamFormat.SAM2_HF ? HF2_FEATURES : SAMEXPORTER_FEATURES;
            float[] h0 = features(out, names.get(0), n, HIGH_RES_0, "32x256x256");
            float[] h1 = features(out, names.get(1), n, HIGH_RES_1, "64x128x128");
            float[] emb = features(out, names.get(2), n, EMBED, "256x64x64");
            for (int i = 0; i < n; i++) {
                embeddings.add(new SamEmbedding(slice(emb, i, EMBED), null, slice(h0, i, HIGH_RES_0),
                        slice(h1, i, HIGH_RES_1), sizes[i][0], sizes[i][1]));
            }
            return embeddings;
        }
        float[] emb = features(out, "image_embeddings", n, EMBED, "256x64x64");
        float[] pos = format == SamFormat.HF_BOXES ? features(out, "image_positional_embeddings", n, EMBED,
                "256x64x64") : null;
        for (int i = 0; i < n; i++) {
            embeddings.add(new SamEmbedding(slice(emb, i, EMBED), pos == null ? null : slice(pos, i, EMBED),
                    sizes[i][0], sizes[i][1]));
        }
        return embeddings;
    }

    private float[] features(Fetched out, String name, int images, int perImage, String shape) {
        float[] v = out.get(name);
        if (v.length != (long) images * perImage) {
            throw new ModelContractException("SAM encoder " + encoder.file() + " returned " + name + " "
                    + Arrays.toString(out.shape(name)) + " for " + images + " image(s), expected [" + images + ","
                    + shape.replace('x', ',') + "]");
        }
        return v;
    }

    private static float[] slice(float[] all, int i, int size) {
        return all.length == size ? all : Arrays.copyOfRange(all, i * size, (i + 1) * size);
    }

    /** Every candidate mask, at original size, for each box (original-image pixels). */
    public List<List<Candidate>> segment(SamEmbedding embedding, List<Box> boxes) {
        if (boxes.isEmpty()) {
            return List.of();
        }
        return switch (format) {
            case OFFICIAL -> segmentOfficial(embedding, boxes);
            case HF_BOXES -> segmentHf(embedding, boxes);
            case SAM2_SAMEXPORTER -> segmentSam2Samexporter(embedding, boxes);
            case SAM2_HF -> segmentSam2Hf(embedding, boxes);
        };
    }

    private List<List<Candidate>> segmentOfficial(SamEmbedding e, List<Box> boxes) {
        List<List<Candidate>> out = new ArrayList<>();
        for (Box box : boxes) {
            Box m = sam1.toModelFrame(box, e.width(), e.height());
            Feed feed = new Feed().floats("image_embeddings", e.embeddings(), 1, 256, 64, 64)
                    .floats("point_coords", new float[] {m.x1(), m.y1(), m.x2(), m.y2()}, 1, 2, 2)
                    .floats("point_labels", new float[] {2f, 3f}, 1, 2)
                    .floats("mask_input", new float[256 * 256], 1, 1, 256, 256)
                    .floats("has_mask_input", new float[] {0f}, 1)
                    .floats("orig_im_size", new float[] {e.height(), e.width()}, 2);
            Fetched r = decoder.run(feed);
            float[] masks = r.get("masks");
            float[] iou = r.get("iou_predictions");
            long[] shape = r.shape("masks");
            int count = (int) shape[1];
            if (shape[2] != e.height() || shape[3] != e.width()) {
                throw new ModelContractException("SAM decoder " + decoder.file() + " returned masks of "
                        + Arrays.toString(shape) + " for an image of " + e.width() + "x" + e.height());
            }
            int plane = e.width() * e.height();
            List<Candidate> candidates = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                float[] logits = Arrays.copyOfRange(masks, k * plane, (k + 1) * plane);
                candidates.add(new Candidate(k, BitMask.fromLogits(logits, e.width(), e.height(), maskThreshold),
                        iou[k], null, Candidate.stability(logits, maskThreshold)));
            }
            out.add(candidates);
        }
        return out;
    }

    private List<List<Candidate>> segmentHf(SamEmbedding e, List<Box> boxes) {
        float[] coords = new float[boxes.size() * 4];
        for (int i = 0; i < boxes.size(); i++) {
            Box m = sam1.toModelFrame(boxes.get(i), e.width(), e.height());
            System.arraycopy(m.toArray(), 0, coords, i * 4, 4);
        }
        Feed feed = new Feed().floats("image_embeddings", e.embeddings(), 1, 256, 64, 64)
                .floats("image_positional_embeddings", e.positional(), 1, 256, 64, 64)
                .floats("input_boxes", coords, 1, boxes.size(), 4);
        Fetched r = decoder.run(feed);
        float[] masks = r.get("pred_masks");
        float[] iou = r.get("iou_scores");
        long[] shape = lowResShape(r, "pred_masks", 5, boxes.size());
        int count = (int) shape[2];
        int plane = SamMaskPostprocessor.LOW_RES * SamMaskPostprocessor.LOW_RES;
        List<List<Candidate>> out = new ArrayList<>();
        for (int b = 0; b < boxes.size(); b++) {
            List<Candidate> candidates = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                int offset = (b * count + k) * plane;
                float[] low = Arrays.copyOfRange(masks, offset, offset + plane);
                float[] full = sam1.toOriginal(low, e.width(), e.height());
                candidates.add(new Candidate(k, BitMask.fromLogits(full, e.width(), e.height(), maskThreshold),
                        iou[b * count + k], null, Candidate.stability(full, maskThreshold)));
            }
            out.add(candidates);
        }
        return out;
    }

    /** samexporter's SAM 2.1 decoder: one box per call (N = 1), as two points labelled 2 and 3, no mask input. */
    private List<List<Candidate>> segmentSam2Samexporter(SamEmbedding e, List<Box> boxes) {
        List<List<Candidate>> out = new ArrayList<>();
        for (Box box : boxes) {
            Box m = geometry.toModelFrame(box, e.width(), e.height());
            Feed feed = sam2Features(new Feed(), e, "image_embed", "high_res_feats_0", "high_res_feats_1")
                    .floats("point_coords", new float[] {m.x1(), m.y1(), m.x2(), m.y2()}, 1, 2, 2)
                    .floats("point_labels", new float[] {2f, 3f}, 1, 2)
                    .floats("mask_input", new float[256 * 256], 1, 1, 256, 256)
                    .floats("has_mask_input", new float[] {0f}, 1);
            Fetched r = decoder.run(feed);
            long[] shape = lowResShape(r, "masks", 4, 1);
            out.add(sam2Candidates(r.get("masks"), r.get("iou_predictions"), null, 0, (int) shape[1], e));
        }
        return out;
    }

    /** onnx-community's SAM 2.1 decoder: every box of the image in one call, no points (t.js's box-only feed). */
    private List<List<Candidate>> segmentSam2Hf(SamEmbedding e, List<Box> boxes) {
        int nb = boxes.size();
        float[] coords = new float[nb * 4];
        for (int i = 0; i < nb; i++) {
            System.arraycopy(geometry.toModelFrame(boxes.get(i), e.width(), e.height()).toArray(), 0, coords, i * 4, 4);
        }
        Feed feed = new Feed().floats("input_boxes", coords, 1, nb, 4)
                .floats("input_points", new float[0], 1, 1, 0, 2)
                .longs("input_labels", new long[0], 1, nb, 0);
        sam2Features(feed, e, "image_embeddings.2", "image_embeddings.0", "image_embeddings.1");
        Fetched r = decoder.run(feed);
        long[] shape = lowResShape(r, "pred_masks", 5, nb);
        float[] masks = r.get("pred_masks");
        float[] iou = r.get("iou_scores");
        float[] objectScores = decoder.signature().hasOutput("object_score_logits") ? r.get("object_score_logits")
                : null;
        if (objectScores != null && objectScores.length != nb) {
            throw new ModelContractException("SAM decoder " + decoder.file() + " returned object_score_logits "
                    + Arrays.toString(r.shape("object_score_logits")) + " for " + nb + " boxes, expected [1," + nb
                    + ",1]");
        }
        int count = (int) shape[2];
        List<List<Candidate>> out = new ArrayList<>(nb);
        for (int b = 0; b < nb; b++) {
            out.add(sam2Candidates(masks, iou, objectScores == null ? null : objectScores[b], b, count, e));
        }
        return out;
    }

    private static Feed sam2Features(Feed feed, SamEmbedding e, String embed, String highRes0, String highRes1) {
        if (e.highRes0() == null || e.highRes1() == null) {
            throw new IllegalArgumentException("not a SAM 2.1 embedding: no high-resolution feature maps");
        }
        return feed.floats(embed, e.embeddings(), 1, 256, 64, 64)
                .floats(highRes0, e.highRes0(), 1, 32, 256, 256)
                .floats(highRes1, e.highRes1(), 1, 64, 128, 128);
    }

    /** Box {@code b}'s candidates from [.., count, 256, 256] logits, upsampled by the geometry and thresholded. */
    private List<Candidate> sam2Candidates(float[] masks, float[] iou, Float objectScore, int b, int count,
            SamEmbedding e) {
        int plane = SamMaskPostprocessor.LOW_RES * SamMaskPostprocessor.LOW_RES;
        List<Candidate> candidates = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int offset = (b * count + k) * plane;
            float[] low = Arrays.copyOfRange(masks, offset, offset + plane);
            float[] full = geometry.toOriginal(low, e.width(), e.height());
            candidates.add(new Candidate(k, BitMask.fromLogits(full, e.width(), e.height(), maskThreshold),
                    iou[b * count + k], objectScore, Candidate.stability(full, maskThreshold)));
        }
        return candidates;
    }

    /** The shape of a low-res mask output, checked: rank, {@code boxes} prompts and 256x256 planes. */
    private long[] lowResShape(Fetched r, String name, int rank, int boxes) {
        long[] shape = r.shape(name);
        boolean ok = shape.length == rank && shape[rank - 1] == SamMaskPostprocessor.LOW_RES
                && shape[rank - 2] == SamMaskPostprocessor.LOW_RES && shape[rank - 4] == boxes;
        if (!ok) {
            throw new ModelContractException("SAM decoder " + decoder.file() + " returned " + name + " "
                    + Arrays.toString(shape) + " for " + boxes + " box(es), expected "
                    + (rank == 5 ? "[1," + boxes + ",3,256,256]" : "[" + boxes + ",3,256,256]"));
        }
        return shape;
    }

    @Override
    public void close() {
        encoder.close();
        decoder.close();
    }
}
