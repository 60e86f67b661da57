package io.pseudolabel.clip;

import java.io.Serializable;
import java.util.List;

/**
 * Turns one CLIP image embedding into a probability per class. Built once on the driver and shipped to
 * executors, so it holds plain arrays only: zero-shot text embeddings or a trained head.
 */
public interface ImageClassifier extends Serializable {

    /** Class ids are 1..C in this order. */
    List<String> classNames();

    /** Fingerprint of the CLIP model whose image embeddings this classifier reads. */
    String modelFingerprint();

    /** One probability per class of {@link #classNames()}. */
    float[] probabilities(float[] imageEmbedding);

    /**
     * The top-n rule's threshold for these probabilities: {@code clip.min-prob} for probabilities that share
     * one softmax (zero-shot and a softmax head).
     */
    default float minProb(ClipSettings settings) {
        return settings.minProb();
    }
}
