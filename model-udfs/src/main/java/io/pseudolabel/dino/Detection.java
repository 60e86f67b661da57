package io.pseudolabel.dino;

import io.pseudolabel.geom.Box;

/**
 * One Grounding-DINO detection in original-image pixels.
 *
 * @param classIndex index into the class list that was prompted
 * @param phrase the prompt words that matched, as the tokenizer spells them
 */
public record Detection(int classIndex, String phrase, float score, Box box) {}
