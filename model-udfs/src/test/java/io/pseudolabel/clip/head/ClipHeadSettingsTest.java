package io.pseudolabel.clip.head;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipHeadSettingsTest {

    static ClipHeadSettings settings(Map<String, String> overrides) {
        return ClipHeadSettings.from(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void defaultsAreThePapersAndTorchvisions() {
        ClipHeadSettings s = settings(Map.of());
        assertEquals(4, s.views());
        assertEquals(ClipHeadSettings.Loss.AUTO, s.loss());
        assertFalse(s.dropUnknownLabels());
        assertEquals(2e-5f, s.train().learningRate());
        assertEquals(32, s.train().batchSize());
        assertEquals(50, s.train().epochs());
        assertEquals(0.08, s.augment().minScale());
        assertEquals(0.75, s.augment().minRatio());
        assertTrue(s.multiLabel(new int[] {1, 2}));
        assertFalse(s.multiLabel(new int[] {1, 1}));
        assertTrue(settings(Map.of("pseudolabel.clip-head.loss", "sigmoid")).multiLabel(new int[] {1}));
        assertTrue(settings(Map.of("pseudolabel.clip-head.unknown-labels", "drop")).dropUnknownLabels());
    }

    @Test
    void badValuesNameTheirKey() {
        assertMessage("pseudolabel.clip-head.train.learning-rate", Map.of("pseudolabel.clip-head.train.learning-rate", "0"));
        assertMessage("pseudolabel.clip-head.loss must be auto, softmax or sigmoid",
                Map.of("pseudolabel.clip-head.loss", "hinge"));
        assertMessage("pseudolabel.clip-head.augment.min-scale", Map.of("pseudolabel.clip-head.augment.min-scale", "1.5"));
        assertMessage("pseudolabel.clip-head.views", Map.of("pseudolabel.clip-head.views", "many"));
    }

    private static void assertMessage(String expected, Map<String, String> overrides) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(overrides));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
