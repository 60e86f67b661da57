package io.pseudolabel.dino;

import java.util.List;
import java.util.Locale;

/**
 * Grounding-DINO text prompts: lower-cased phrases each ending in ".", joined by a space ("cat. potted
 * plant."), and the map from token position to phrase index that post-processing needs.
 */
public final class DinoPrompt {
    /** The public export's text length; longer prompts are refused rather than silently cut. */
    public static final int MAX_TOKENS = 256;

    private DinoPrompt() {}

    public static String text(List<String> phrases) {
        StringBuilder sb = new StringBuilder();
        for (String p : phrases) {
            String clean = p.strip().toLowerCase(Locale.ROOT);
            if (clean.isEmpty()) {
                throw new IllegalArgumentException("empty class name in prompt " + phrases);
            }
            sb.append(sb.length() == 0 ? "" : " ").append(clean).append(clean.endsWith(".") ? "" : ".");
        }
        return sb.toString();
    }

    /**
     * For each token, the index of the phrase it belongs to, or -1 for special tokens ("[CLS]",
     * "[SEP]", "[PAD]") and the "." separators. Phrases are numbered in prompt order.
     */
    public static int[] tokenPhrases(String[] tokens) {
        int[] out = new int[tokens.length];
        int phrase = 0;
        boolean inPhrase = false;
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i];
            if (isSpecial(t)) {
                out[i] = -1;
            } else if (t.equals(".")) {
                out[i] = -1;
                if (inPhrase) {
                    phrase++;
                    inPhrase = false;
                }
            } else {
                out[i] = phrase;
                inPhrase = true;
            }
        }
        return out;
    }

    static boolean isSpecial(String token) {
        return token.startsWith("[") && token.endsWith("]") && token.length() > 2
                && token.substring(1, token.length() - 1).chars().allMatch(Character::isUpperCase);
    }

    public static void checkLength(int tokens, String prompt) {
        if (tokens > MAX_TOKENS) {
            throw new IllegalArgumentException("Grounding-DINO prompt is " + tokens + " tokens, the model takes at most "
                    + MAX_TOKENS + "; use prompt-mode per-class or fewer classes: \"" + prompt + "\"");
        }
    }
}
