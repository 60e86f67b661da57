package io.pseudolabel.sam;

/**
 * One image's SAM encoder output, kept for every box of that image.
 *
 * @param positional HF exports' {@code image_positional_embeddings}, null for official exports
 */
public record SamEmbedding(float[] embeddings, float[] positional, int width, int height) {}
