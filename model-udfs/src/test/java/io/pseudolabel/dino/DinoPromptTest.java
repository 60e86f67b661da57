package io.pseudolabel.dino;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DinoPromptTest {

    @Test
    void textLowerCasesStripsAndEndsEachPhraseWithADot() {
        assertEquals("cat.", DinoPrompt.text(List.of("Cat")));
        assertEquals("cat. potted plant.", DinoPrompt.text(List.of("  CAT ", "Potted Plant")));
        // a phrase that already ends in "." gets no second one
        assertEquals("dog. tv monitor.", DinoPrompt.text(List.of("dog.", " TV monitor ")));
    }

    @Test
    void textRefusesAnEmptyPhrase() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DinoPrompt.text(List.of("cat", "  ")));
        assertTrue(e.getMessage().contains("empty class name"), e.getMessage());
    }

    @Test
    void tokenPhrasesNumberPhrasesAndSkipSpecialTokensAndDots() {
        String[] tokens = {"[CLS]", "a", "cat", ".", "potted", "plant", ".", "[SEP]"};
        assertArrayEquals(new int[] {-1, 0, 0, -1, 1, 1, -1, -1}, DinoPrompt.tokenPhrases(tokens));
    }

    @Test
    void tokenPhrasesKeepWordPiecesInTheirPhraseAndIgnorePaddingAndRepeatedDots() {
        String[] tokens = {"[CLS]", "pot", "##ted", "plant", ".", ".", "dog", ".", "[SEP]", "[PAD]", "[PAD]"};
        // ". ." does not open an empty phrase: "dog" is phrase 1
        assertArrayEquals(new int[] {-1, 0, 0, 0, -1, -1, 1, -1, -1, -1, -1}, DinoPrompt.tokenPhrases(tokens));
        // a phrase without a closing dot still counts
        assertArrayEquals(new int[] {-1, 0, -1}, DinoPrompt.tokenPhrases(new String[] {"[CLS]", "cat", "[SEP]"}));
    }

    @Test
    void checkLengthAcceptsTheModelsLimitAndRefusesOneMore() {
        DinoPrompt.checkLength(DinoPrompt.MAX_TOKENS, "ok");
        assertEquals(256, DinoPrompt.MAX_TOKENS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DinoPrompt.checkLength(257, "cat. dog."));
        assertTrue(e.getMessage().contains("257 tokens") && e.getMessage().contains("at most 256"), e.getMessage());
        assertTrue(e.getMessage().contains("cat. dog."), e.getMessage());
    }
}
