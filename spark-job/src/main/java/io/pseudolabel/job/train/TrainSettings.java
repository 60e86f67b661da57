package io.pseudolabel.job.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.pseudolabel.segmenter.CropMode;
import io.pseudolabel.segmenter.Optimizer;
import io.pseudolabel.segmenter.SegmenterConfig;

import java.io.Serializable;

/**
 * {@code pseudolabel.train.*}: the segmenter and how its training is spread over Spark.
 *
 * @param rounds synchronous rounds: broadcast weights, K local steps per worker, average
 * @param localSteps K; 1 is synchronous SGD
 * @param workers W partitions, each training on its shard
 * @param backboneWeights a torchvision/timm ResNet safetensors file the backbone starts from; blank = random
 * @param keepCheckpoints round checkpoints kept (the newest; the finished model is kept regardless)
 */
public record TrainSettings(SegmenterConfig segmenter, int rounds, int localSteps, int workers, long seed,
        String backboneWeights, int keepCheckpoints) implements Serializable {

    public static TrainSettings from(Config root, int numClasses) {
        Config t = root.getConfig("pseudolabel.train");
        try {
            SegmenterConfig s = new SegmenterConfig(t.getInt("backbone-depth"), numClasses, t.getInt("base-channels"),
                    t.getInt("aspp-channels"), t.getInt("low-level-channels"), t.getInt("decoder-channels"),
                    (float) t.getDouble("dropout"), t.getInt("crop-size"), (float) t.getDouble("min-scale"),
                    (float) t.getDouble("max-scale"), CropMode.parse(t.getString("crop-mode")), t.getBoolean("flip"),
                    t.getInt("batch-size"), Optimizer.parse(t.getString("optimizer")),
                    (float) t.getDouble("learning-rate"), (float) t.getDouble("momentum"),
                    (float) t.getDouble("weight-decay"),
                    t.getInt("rounds") * t.getInt("local-steps"), t.getLong("seed"));
            TrainSettings ts = new TrainSettings(s, t.getInt("rounds"), t.getInt("local-steps"), t.getInt("workers"),
                    t.getLong("seed"), t.getString("backbone-weights").strip(), t.getInt("keep-checkpoints"));
            if (ts.rounds < 1 || ts.localSteps < 1 || ts.workers < 1 || ts.keepCheckpoints < 1) {
                throw new IllegalArgumentException("pseudolabel.train: rounds, local-steps, workers and "
                        + "keep-checkpoints must be >= 1");
            }
            return ts;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pseudolabel.train: " + e.getMessage(), e);
        }
    }

    public TrainSettings with(int rounds, int localSteps, int workers) {
        SegmenterConfig s = segmenter;
        SegmenterConfig scheduled = new SegmenterConfig(s.depth(), s.numClasses(), s.baseChannels(), s.asppChannels(),
                s.lowLevelChannels(), s.decoderChannels(), s.dropout(), s.cropSize(), s.minScale(), s.maxScale(),
                s.cropMode(), s.flip(), s.batchSize(), s.optimizer(), s.learningRate(), s.momentum(), s.weightDecay(),
                rounds * localSteps, s.seed());
        return new TrainSettings(scheduled, rounds, localSteps, workers, seed, backboneWeights, keepCheckpoints);
    }

    /** The same settings starting from another backbone file (blank: random initialisation). */
    public TrainSettings withBackboneWeights(String uri) {
        return new TrainSettings(segmenter, rounds, localSteps, workers, seed, uri, keepCheckpoints);
    }
}
