package io.pseudolabel.sam;

/** The SAM export flavours we run, told apart by their graphs' input names (model-contracts §3, §4). */
public enum SamFormat {
    /** segment-anything's decoder (point_coords/point_labels/orig_im_size), box as labels 2 and 3. */
    OFFICIAL("SAM 1, official segment-anything decoder"),
    /** Xenova/HF split decoder with {@code input_boxes} (the "boxes" revision), 3 masks at 256x256. */
    HF_BOXES("SAM 1, HF split export (boxes revision)"),
    /**
     * SAM 2.1 as samexporter exports it: encoder {@code image} [1,3,1024,1024] to {@code high_res_feats_0/1} and
     * {@code image_embed}; decoder with {@code point_coords}/{@code point_labels} (box as labels 2 and 3),
     * {@code mask_input}, {@code has_mask_input} and no {@code orig_im_size}; 3 masks at 256x256.
     */
    SAM2_SAMEXPORTER("SAM 2.1, samexporter export"),
    /**
     * SAM 2.1 as onnx-community/sam2.1-hiera-*-ONNX (transformers.js) ships it: encoder {@code pixel_values}
     * [B,3,1024,1024] to {@code image_embeddings.0/1/2}; decoder with {@code input_boxes}, int64
     * {@code input_labels}, {@code input_points}; {@code iou_scores}, {@code pred_masks} (256x256),
     * {@code object_score_logits}.
     */
    SAM2_HF("SAM 2.1, onnx-community (transformers.js) export");

    private final String family;

    SamFormat(String family) {
        this.family = family;
    }

    /** What {@code validate-models} prints: the model generation and the export family. */
    public String family() {
        return family;
    }

    /** SAM 2.1: the image stretched to 1024x1024, three feature maps, 256x256 logits upsampled by the caller. */
    public boolean isSam2() {
        return this == SAM2_SAMEXPORTER || this == SAM2_HF;
    }

    /** The encoder input: normalised, padded CHW at 1024, or samexporter's HWC 0..255 at the resized size. */
    public enum EncoderInput {
        CHW_NORMALIZED,
        HWC_0_255
    }
}
