package io.pseudolabel.job.label;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.executor.ModelLocalizer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** finetune-clip and eval-classify localize only CLIP: Grounding-DINO and SAM are neither named nor copied. */
class ModelLocalizerClipOnlyTest {
    static Config config(Map<String, String> m) {
        return ConfigFactory.parseMap(m).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void modelsDirNamesOnlyItsClipChild() {
        LabelerSettings s = ModelLocalizer.clipOnly(config(Map.of("pseudolabel.models.dir", "s3a://b/models")),
                "finetune-clip");
        assertEquals("s3a://b/models/clip", s.clipDir());
        assertEquals("", s.modelsDir());
        assertEquals("", s.dinoDir());
        assertEquals("", s.samDir());
        LabelerSettings local = ModelLocalizer.localize(
                ModelLocalizer.clipOnly(config(Map.of("pseudolabel.models.dir", "/m")), "x"),
                new Configuration());
        assertEquals("/m/clip", local.clipDir());
        assertEquals("", local.dinoDir());
        assertEquals("", local.samDir());
    }

    @Test
    void explicitClipWinsAndMissingModelsNamesTheCommandAndKeys() {
        assertEquals("/c", ModelLocalizer.clipOnly(config(Map.of("pseudolabel.models.dir", "/m",
                "pseudolabel.models.clip", "/c")), "finetune-clip").clipDir());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelLocalizer.clipOnly(config(Map.of()), "finetune-clip"));
        assertTrue(e.getMessage().contains("finetune-clip") && e.getMessage().contains("pseudolabel.models.dir")
                && e.getMessage().contains("pseudolabel.models.clip"), e.getMessage());
    }
}
