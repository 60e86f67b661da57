package io.pseudolabel.dino;

import java.util.Locale;

/**
 * {@code PER_CLASS} runs one phrase per inference (the public onnx-community export only scores the
 * first phrase of a prompt); {@code JOINT} sends all phrases at once, for re-exports that score them all.
 */
public enum PromptMode {
    PER_CLASS,
    JOINT;

    public static PromptMode parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "per-class", "per_class" -> PER_CLASS;
            case "joint" -> JOINT;
            default -> throw new IllegalArgumentException(
                    "grounding-dino.prompt-mode must be per-class or joint; got '" + s + "'");
        };
    }
}
