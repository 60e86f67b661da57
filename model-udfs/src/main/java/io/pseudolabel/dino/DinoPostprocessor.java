package io.pseudolabel.dino;

import io.pseudolabel.geom.Box;

import java.util.ArrayList;
import java.util.List;

/**
 * HF's {@code post_process_grounded_object_detection} on plain arrays, plus the phrase to class step:
 * sigmoid (0 at -inf), score = max over text columns, keep score &gt; box threshold, tokens above the
 * text threshold (never column 0 nor columns from 255 on) name the phrase, boxes cxcywh in [0,1] become
 * xyxy pixels of the original image.
 */
public final class DinoPostprocessor {
    private DinoPostprocessor() {}

    /** Logistic function that is exactly 0 at -inf and never overflows. */
    public static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /**
     * @param logits {@code [queries, columns]} row-major
     * @param boxes {@code [queries, 4]} normalised cx, cy, w, h
     * @param tokenPhrase phrase index per prompt token (see {@link DinoPrompt#tokenPhrases}); columns past
     *     it are padding
     * @param tokens token strings, for the phrase text
     * @param phraseClass class index of each phrase
     */
    public static List<Detection> decode(float[] logits, float[] boxes, int queries, int columns, int[] tokenPhrase,
            String[] tokens, int[] phraseClass, float boxThreshold, float textThreshold, int width, int height) {
        return decode(logits, boxes, queries, columns, tokenPhrase, tokens, phraseClass, boxThreshold, textThreshold,
                DinoGeometry.CONTRACT, width, height, width, height);
    }

    /**
     * As {@link #decode(float[], float[], int, int, int[], String[], int[], float, float, int, int)} for a
     * {@code width x height} image given to the model at {@code inputWidth x inputHeight}, boxes by {@code geometry}.
     */
    public static List<Detection> decode(float[] logits, float[] boxes, int queries, int columns, int[] tokenPhrase,
            String[] tokens, int[] phraseClass, float boxThreshold, float textThreshold, DinoGeometry geometry,
            int width, int height, int inputWidth, int inputHeight) {
        List<Detection> out = new ArrayList<>();
        int usable = Math.min(Math.min(tokenPhrase.length, columns), 255);
        for (int q = 0; q < queries; q++) {
            int row = q * columns;
            float score = 0f;
            for (int t = 0; t < columns; t++) {
                score = Math.max(score, sigmoid(logits[row + t]));
            }
            if (!(score > boxThreshold)) {
                continue;
            }
            int bestToken = -1;
            float bestProb = textThreshold;
            for (int t = 1; t < usable; t++) {
                float p = sigmoid(logits[row + t]);
                if (tokenPhrase[t] >= 0 && p > bestProb) {
                    bestProb = p;
                    bestToken = t;
                }
            }
            if (bestToken < 0) {
                continue;
            }
            int phrase = tokenPhrase[bestToken];
            StringBuilder text = new StringBuilder();
            for (int t = 1; t < usable; t++) {
                if (tokenPhrase[t] == phrase && sigmoid(logits[row + t]) > textThreshold) {
                    String tok = tokens[t];
                    if (tok.startsWith("##")) {
                        text.append(tok, 2, tok.length());
                    } else {
                        text.append(text.length() == 0 ? "" : " ").append(tok);
                    }
                }
            }
            Box box = geometry.toImage(boxes[q * 4], boxes[q * 4 + 1], boxes[q * 4 + 2], boxes[q * 4 + 3], width, height,
                    inputWidth, inputHeight);
            out.add(new Detection(phraseClass[phrase], text.toString(), score, box));
        }
        return out;
    }
}
