package io.pseudolabel.sam;

/**
 * One image's SAM encoder output, kept for every box of that image.
 *
 * @param embeddings the 256x64x64 image embedding (SAM 2.1: {@code image_embed} / {@code image_embeddings.2})
 * @param positional HF SAM 1 exports' {@code image_positional_embeddings}, else null
 * @param highRes0 SAM 2.1's 32x256x256 {@code high_res_feats_0} / {@code image_embeddings.0}, else null
 * @param highRes1 SAM 2.1's 64x128x128 {@code high_res_feats_1} / {@code image_embeddings.1}, else null
 */
public record SamEmbedding(float[] embeddings, float[] positional, float[] highRes0, float[] highRes1, int width,
        int height) {

    /** A SAM 1 embedding. */
    public SamEmbedding(float[] embeddings, float[] positional, int width, int height) {
        this(embeddings, positional, null, null, width, height);
    }
}
