package io.pseudolabel.job.head;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** finetune-clip refuses, before embedding, to collect more embeddings on the driver than it may hold. */
class DriverEmbeddingBudgetTest {
    @Test
    void estimatesInLongAndRefusesAboveEitherLimitNamingTheKeys() {
        // 100k images x 4 views x 512 floats x 4 bytes = 819.2 MB: fits the default 1024 MB.
        assertEquals(819_200_000L, FinetuneClipJob.driverEmbeddingBytes(100_000, 4, 512, 1024, 0));
        // 1M images: 8.2 GB, past int range and past the cap.
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
                () -> FinetuneClipJob.driverEmbeddingBytes(1_000_000, 4, 512, 1024, 0));
        assertTrue(cap.getMessage().contains("8192.0 MB") && cap.getMessage().contains(
                "pseudolabel.clip-head.max-driver-embeddings-mb = 1024")
                && cap.getMessage().contains("--conf pseudolabel.clip-head.max-driver-embeddings-mb="),
                cap.getMessage());
        IllegalArgumentException result = assertThrows(IllegalArgumentException.class,
                () -> FinetuneClipJob.driverEmbeddingBytes(100_000, 4, 512, 1024, 512L << 20));
        assertTrue(result.getMessage().contains("spark.driver.maxResultSize = 536870912 bytes"), result.getMessage());
    }
}
