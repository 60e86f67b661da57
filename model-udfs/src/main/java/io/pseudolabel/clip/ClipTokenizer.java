package io.pseudolabel.clip;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.pseudolabel.onnx.ModelContractException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * CLIP's tokenizer from the model's {@code tokenizer.json}: {@code [BOS] tokens [EOS]}, truncated to 77
 * with the end token kept, and padded with the end token (HF's choice; pooling takes the first EOT at
 * argmax(ids), so padding never changes the embedding).
 */
public final class ClipTokenizer implements AutoCloseable {
    public static final int CONTEXT_LENGTH = 77;

    private final HuggingFaceTokenizer tokenizer;

    public ClipTokenizer(Path tokenizerJson) {
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false"));
        } catch (IOException | RuntimeException e) {
            throw new ModelContractException("cannot read CLIP tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of each text, padded to the longest with its end token. */
    public TokenBatch encode(List<String> texts) {
        long[][] ids = new long[texts.size()][];
        int longest = 1;
        for (int i = 0; i < texts.size(); i++) {
            Encoding e = tokenizer.encode(texts.get(i));
            ids[i] = truncate(e.getIds());
            longest = Math.max(longest, ids[i].length);
        }
        return TokenBatch.padded(ids, longest);
    }

    static long[] truncate(long[] ids) {
        if (ids.length <= CONTEXT_LENGTH) {
            return ids;
        }
        long[] cut = Arrays.copyOf(ids, CONTEXT_LENGTH);
        cut[CONTEXT_LENGTH - 1] = ids[ids.length - 1];
        return cut;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Row-major ids and attention mask of a padded batch. */
    public record TokenBatch(int rows, int length, long[] ids, long[] attentionMask) {
        static TokenBatch padded(long[][] rows, int length) {
            long[] ids = new long[rows.length * length];
            long[] mask = new long[rows.length * length];
            for (int r = 0; r < rows.length; r++) {
                long pad = rows[r].length == 0 ? 0 : rows[r][rows[r].length - 1];
                for (int t = 0; t < length; t++) {
                    boolean real = t < rows[r].length;
                    ids[r * length + t] = real ? rows[r][t] : pad;
                    mask[r * length + t] = real ? 1 : 0;
                }
            }
            return new TokenBatch(rows.length, length, ids, mask);
        }
    }
}
