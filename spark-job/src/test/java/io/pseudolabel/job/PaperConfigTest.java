package io.pseudolabel.job;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobConfig;
import io.pseudolabel.job.data.ClassList;
import io.pseudolabel.job.train.TrainSettings;
import io.pseudolabel.segmenter.CropMode;
import io.pseudolabel.segmenter.Optimizer;
import io.pseudolabel.segmenter.SegmenterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code conf/voc-paper.conf} loads through the real JobConfig (unknown keys refused) and is the paper's setting. */
class PaperConfigTest {

    static Path paperConf() {
        Path p = Path.of("..", "conf", "voc-paper.conf");
        return (Files.isRegularFile(p) ? p : Path.of("conf", "voc-paper.conf")).toAbsolutePath().normalize();
    }

    @Test
    void vocPaperConfIsTheSection42Setting() {
        Config c = JobConfig.load(paperConf().toString(), List.of());
        List<String> classes = ClassList.resolve(c.getString("pseudolabel.job.classes"));
        assertEquals(20, classes.size());
        TrainSettings t = TrainSettings.from(c, classes.size() + 1);
        SegmenterConfig s = t.segmenter();
        assertEquals(101, s.depth());
        assertEquals(21, s.numClasses());
        assertEquals(64, s.baseChannels());
        assertEquals(256, s.asppChannels());
        assertEquals(48, s.lowLevelChannels());
        assertEquals(256, s.decoderChannels());
        assertEquals(320, s.cropSize());
        assertEquals(CropMode.RESIZE_CENTER, s.cropMode());
        assertEquals(16, s.batchSize());
        assertEquals(Optimizer.SGD, s.optimizer());
        assertEquals(0.01f, s.learningRate());
        assertEquals(0.9f, s.momentum());
        assertEquals(30_000, s.totalSteps(), "poly decay over rounds x local steps");
        assertEquals(300, t.rounds());
        assertEquals(100, t.localSteps());
        assertEquals(1, t.workers());
        assertTrue(t.backboneWeights().endsWith("resnet101.tv_in1k/model.safetensors"), t.backboneWeights());
        assertEquals("voc", c.getString("pseudolabel.job.layout"));
    }

    @Test
    void aMisspelledKeyInACopyIsRefused(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("voc-paper.conf");
        Files.writeString(copy, Files.readString(paperConf()).replace("crop-mode = resize-center",
                "crop_mode = resize-center"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(copy.toString(), List.of()));
        assertTrue(e.getMessage().contains("unknown configuration key pseudolabel.train.crop_mode"), e.getMessage());
        Path badMode = tmp.resolve("bad-mode.conf");
        Files.writeString(badMode, Files.readString(paperConf()).replace("crop-mode = resize-center",
                "crop-mode = centre"));
        Config c = JobConfig.load(badMode.toString(), List.of());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> TrainSettings.from(c, 21));
        assertTrue(m.getMessage().contains("pseudolabel.train") && m.getMessage().contains("centre"), m.getMessage());
    }
}
