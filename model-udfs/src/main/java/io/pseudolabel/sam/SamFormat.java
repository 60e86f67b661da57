package io.pseudolabel.sam;

/** The SAM export flavours we run, told apart by their graphs' input names. */
public enum SamFormat {
    /** segment-anything's decoder (point_coords/point_labels/orig_im_size), box as labels 2 and 3. */
    OFFICIAL,
    /** Xenova/HF split decoder with {@code input_boxes} (the "boxes" revision), 3 masks at 256x256. */
    HF_BOXES;

    /** The encoder input: normalised, padded CHW at 1024, or samexporter's HWC 0..255 at the resized size. */
    public enum EncoderInput {
        CHW_NORMALIZED,
        HWC_0_255
    }
}
