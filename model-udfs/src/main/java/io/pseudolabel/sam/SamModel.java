package io.pseudolabel.sam;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
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
import java.util.List;

/**
 * SAM over a model directory holding an encoder and a decoder, found by role ({@code *encoder*.onnx},
 * {@code *decoder*.onnx} under {@code onnx/} or the root) unless named in config. The format is read
 * from the graphs' input names; every candidate mask is returned with its predicted IoU.
 */
public final class SamModel implements AutoCloseable {
    private static final String ROLE = "SAM";
    private static final int EMBED = 256 * 64 * 64;

    private final OnnxGraph encoder;
    private final OnnxGraph decoder;
    private final SamFormat format;
    private final SamFormat.EncoderInput encoderInput;
    private final String encoderInputName;
    private final SamImageProcessor processor;
    private final float maskThreshold;

    private SamModel(OnnxGraph encoder, OnnxGraph decoder, SamFormat format, SamFormat.EncoderInput encoderInput,
            String encoderInputName, SamImageProcessor processor, float maskThreshold) {
        this.encoder = encoder;
        this.decoder = decoder;
        this.format = format;
        this.encoderInput = encoderInput;
        this.encoderInputName = encoderInputName;
        this.processor = processor;
        this.maskThreshold = maskThreshold;
    }

    public static SamModel load(Path dir, RuntimeOptions options, SamSettings settings) {
        ModelFiles.requireDirectory(dir, ROLE);
        Path encoderFile = ModelFiles.byRole(dir, "encoder", "decoder", settings.encoderFile(), ROLE);
        Path decoderFile = ModelFiles.byRole(dir, "decoder", settings.decoderFile(), ROLE);
        Path config = dir.resolve("preprocessor_config.json");
        SamImageProcessor processor = Files.isRegularFile(config)
                ? new SamImageProcessor(SamImageConfig.fromJson(config)) : new SamImageProcessor();
        OnnxGraph encoder = OnnxGraph.load(encoderFile, options);
        OnnxGraph decoder = null;
        try {
            decoder = OnnxGraph.load(decoderFile, options);
            SamFormat format = decoderFormat(decoder);
            encoder.requireOutputs("SAM encoder", "image_embeddings");
            if (format == SamFormat.HF_BOXES) {
                encoder.requireOutputs("SAM encoder", "image_positional_embeddings");
            }
            String inputName = encoderInputName(encoder);
            SamFormat.EncoderInput input = encoder.signature().input(inputName).rank() == 3
                    ? SamFormat.EncoderInput.HWC_0_255 : SamFormat.EncoderInput.CHW_NORMALIZED;
            return new SamModel(encoder, decoder, format, input, inputName, processor, settings.maskThreshold());
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
                + "point_coords, point_labels, mask_input, has_mask_input, orig_im_size (official) or "
                + "image_embeddings, image_positional_embeddings, input_boxes (HF boxes); found " + s.describe());
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

    public String describe() {
        return "SAM " + format + " (encoder input " + encoderInput + "): encoder " + encoder.signature().describe()
                + " | decoder " + decoder.signature().describe();
    }

    /** The encoder input for this export: padded normalised CHW, or resized HWC 0..255. Pure CPU work. */
    public float[] preprocess(RgbImage image) {
        return encoderInput == SamFormat.EncoderInput.HWC_0_255
                ? processor.resizedHwc0to255(image) : processor.paddedPixelValues(image);
    }

    public SamEmbedding embed(RgbImage image) {
        return embed(preprocess(image), image.width(), image.height());
    }

    /** Runs the encoder on {@code input} from {@link #preprocess} of a {@code width x height} image. */
    public SamEmbedding embed(float[] input, int width, int height) {
        Feed feed = new Feed();
        if (encoderInput == SamFormat.EncoderInput.HWC_0_255) {
            int[] size = SamImageProcessor.resizedSize(width, height, SamMaskPostprocessor.FRAME);
            feed.floats(encoderInputName, input, size[1], size[0], 3);
        } else {
            feed.floats(encoderInputName, input, 1, 3, 1024, 1024);
        }
        Fetched out = encoder.run(feed);
        float[] emb = out.get("image_embeddings");
        float[] pos = format == SamFormat.HF_BOXES ? out.get("image_positional_embeddings") : null;
        if (emb.length != EMBED) {
            throw new ModelContractException("SAM encoder " + encoder.file() + " returned " + emb.length
                    + " embedding values, expected 256x64x64");
        }
        return new SamEmbedding(emb, pos, width, height);
    }

    /** Every candidate mask, at original size, for each box (original-image pixels). */
    public List<List<Candidate>> segment(SamEmbedding embedding, List<Box> boxes) {
        if (boxes.isEmpty()) {
            return List.of();
        }
        return format == SamFormat.OFFICIAL ? segmentOfficial(embedding, boxes) : segmentHf(embedding, boxes);
    }

    private List<List<Candidate>> segmentOfficial(SamEmbedding e, List<Box> boxes) {
        List<List<Candidate>> out = new ArrayList<>();
        for (Box box : boxes) {
            Box m = processor.toModelFrame(box, e.width(), e.height());
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
                        + java.util.Arrays.toString(shape) + " for an image of " + e.width() + "x" + e.height());
            }
            int plane = e.width() * e.height();
            List<Candidate> candidates = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                float[] logits = java.util.Arrays.copyOfRange(masks, k * plane, (k + 1) * plane);
                candidates.add(new Candidate(k, BitMask.fromLogits(logits, e.width(), e.height(), maskThreshold),
                        iou[k]));
            }
            out.add(candidates);
        }
        return out;
    }

    private List<List<Candidate>> segmentHf(SamEmbedding e, List<Box> boxes) {
        float[] coords = new float[boxes.size() * 4];
        for (int i = 0; i < boxes.size(); i++) {
            Box m = processor.toModelFrame(boxes.get(i), e.width(), e.height());
            System.arraycopy(m.toArray(), 0, coords, i * 4, 4);
        }
        Feed feed = new Feed().floats("image_embeddings", e.embeddings(), 1, 256, 64, 64)
                .floats("image_positional_embeddings", e.positional(), 1, 256, 64, 64)
                .floats("input_boxes", coords, 1, boxes.size(), 4);
        Fetched r = decoder.run(feed);
        float[] masks = r.get("pred_masks");
        float[] iou = r.get("iou_scores");
        long[] shape = r.shape("pred_masks");
        int count = (int) shape[2];
        int plane = (int) (shape[3] * shape[4]);
        if (shape[3] != SamMaskPostprocessor.LOW_RES || shape[4] != SamMaskPostprocessor.LOW_RES) {
            throw new ModelContractException("SAM decoder " + decoder.file() + " returned pred_masks "
                    + java.util.Arrays.toString(shape) + ", expected [1,boxes,3,256,256]");
        }
        int[] resized = SamImageProcessor.resizedSize(e.width(), e.height(), SamMaskPostprocessor.FRAME);
        List<List<Candidate>> out = new ArrayList<>();
        for (int b = 0; b < boxes.size(); b++) {
            List<Candidate> candidates = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                int offset = (b * count + k) * plane;
                float[] low = java.util.Arrays.copyOfRange(masks, offset, offset + plane);
                float[] full = SamMaskPostprocessor.toOriginal(low, resized[0], resized[1], e.width(), e.height());
                candidates.add(new Candidate(k, BitMask.fromLogits(full, e.width(), e.height(), maskThreshold),
                        iou[b * count + k]));
            }
            out.add(candidates);
        }
        return out;
    }

    @Override
    public void close() {
        encoder.close();
        decoder.close();
    }
}
