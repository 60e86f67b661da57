package io.pseudolabel.clip;

import java.util.List;

/** CLIP zero-shot: softmax over scaled cosine similarities with the class prompts' text embeddings. */
public record ZeroShotClassifier(ClipTextEmbeddings text, float logitScale) implements ImageClassifier {

    @Override
    public List<String> classNames() {
        return text.classNames();
    }

    @Override
    public String modelFingerprint() {
        return text.modelFingerprint();
    }

    @Override
    public float[] probabilities(float[] imageEmbedding) {
        return ClipZeroShot.probabilities(imageEmbedding, text.embeddings(), logitScale);
    }
}
