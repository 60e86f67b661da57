package io.pseudolabel.clip;

import io.pseudolabel.labeler.Fixtures;
import io.pseudolabel.onnx.ModelContractException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture CLIP tokenizer (word level): "." 0, "a" 5, "photo" 8, "of" 10, "cat" 77, "potted" 82,
 * "plant" 83, {@code <|startoftext|>} 85, {@code <|endoftext|>} 86.
 */
class ClipTokenizerTest {
    static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = new ClipTokenizer(Fixtures.model("clip").resolve("tokenizer.json"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encodesWithStartAndEndTokens() {
        ClipTokenizer.TokenBatch b = tokenizer.encode(List.of("a photo of a potted plant."));
        assertEquals(1, b.rows());
        assertEquals(9, b.length());
        assertArrayEquals(new long[] {85, 5, 8, 10, 5, 82, 83, 0, 86}, b.ids());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, b.attentionMask());
    }

    @Test
    void padsToTheLongestWithTheEndTokenAndMasksThePadding() {
        ClipTokenizer.TokenBatch b = tokenizer.encode(List.of("a photo of a potted plant.", "A cat."));
        assertEquals(2, b.rows());
        assertEquals(9, b.length());
        // "a cat." = [85, 5, 77, 0, 86], padded with 86 (its end token) to 9
        assertArrayEquals(new long[] {85, 5, 8, 10, 5, 82, 83, 0, 86, 85, 5, 77, 0, 86, 86, 86, 86, 86}, b.ids());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, b.attentionMask());
    }

    @Test
    void truncatesTo77KeepingTheEndToken() {
        // 100 x "a" and "." -> 85, 100 x 5, 0, 86 = 103 ids -> 85, 75 x 5, 86 = 77 ids
        String text = "a ".repeat(100) + ".";
        ClipTokenizer.TokenBatch b = tokenizer.encode(List.of(text, "a cat."));
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, b.length());
        long[] row0 = Arrays.copyOfRange(b.ids(), 0, 77);
        long[] expected = new long[77];
        Arrays.fill(expected, 5);
        expected[0] = 85;
        expected[76] = 86;
        assertArrayEquals(expected, row0);
        // the short row is padded to 77 with 72 end tokens, mask 5 ones then 72 zeros
        long[] mask1 = Arrays.copyOfRange(b.attentionMask(), 77, 154);
        assertEquals(5, Arrays.stream(mask1).sum());
        assertEquals(0, mask1[5]);
        assertEquals(86, b.ids()[153]);
    }

    @Test
    void truncateLeavesShortSequencesAlone() {
        long[] ids = new long[77];
        assertEquals(ids, ClipTokenizer.truncate(ids));
        long[] longer = new long[78];
        Arrays.setAll(longer, i -> i);
        long[] cut = ClipTokenizer.truncate(longer);
        assertEquals(77, cut.length);
        assertEquals(75, cut[75]);
        assertEquals(77, cut[76]); // the last id of the input, not 76
    }

    @Test
    void unreadableTokenizerNamesTheFile(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("tokenizer.json");
        Files.writeString(bad, "{ not json", StandardCharsets.UTF_8);
        ModelContractException e = assertThrows(ModelContractException.class, () -> new ClipTokenizer(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
}
