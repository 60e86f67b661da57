package io.pseudolabel.job.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.segmenter.SegmenterWeights;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code <output>/checkpoints/round-NNNNN/} with the weights ({@code model.safetensors}), the optimizer state
 * ({@code optimizer.safetensors}) and the loss history ({@code state.json}), then
 * {@code <output>/checkpoints/_LATEST} naming it: a crash mid-checkpoint leaves the previous one current.
 * Checkpoints of the older format ({@code weights.bin}, {@code optimizer.bin}) are still resumed from.
 */
final class Checkpoints {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** What a checkpoint records besides tensors. */
    record State(int round, List<Double> losses, long samples, String segmenterConfig) {}

    record Loaded(State state, SegmenterWeights weights, SegmenterWeights optimizer) {}

    private Checkpoints() {}

    static String dir(String output) {
        return HadoopFiles.child(output, "checkpoints");
    }

    static void save(String output, State state, SegmenterWeights weights, SegmenterWeights optimizer,
            Configuration conf) throws IOException {
        String name = String.format(Locale.ROOT, "round-%05d", state.round());
        String d = HadoopFiles.child(dir(output), name);
        WeightFiles.write(d, WeightFiles.MODEL, weights, WeightFiles.metadata("model", state.segmenterConfig()), conf);
        WeightFiles.write(d, WeightFiles.OPTIMIZER, optimizer, WeightFiles.metadata("optimizer",
                state.segmenterConfig()), conf);
        HadoopFiles.writeAtomically(HadoopFiles.child(d, "state.json"),
                GSON.toJson(state).getBytes(StandardCharsets.UTF_8), conf);
        HadoopFiles.writeAtomically(HadoopFiles.child(dir(output), "_LATEST"),
                (name + "\n").getBytes(StandardCharsets.UTF_8), conf);
    }

    static Optional<Loaded> latest(String output, Configuration conf) throws IOException {
        String latest = HadoopFiles.child(dir(output), "_LATEST");
        if (!HadoopFiles.exists(latest, conf)) {
            return Optional.empty();
        }
        String d = HadoopFiles.child(dir(output), HadoopFiles.readString(latest, conf).strip());
        State s = GSON.fromJson(HadoopFiles.readString(HadoopFiles.child(d, "state.json"), conf), State.class);
        return Optional.of(new Loaded(new State(s.round(), new ArrayList<>(s.losses()), s.samples(),
                s.segmenterConfig()), WeightFiles.read(d, WeightFiles.MODEL, WeightFiles.LEGACY_MODEL, conf),
                WeightFiles.read(d, WeightFiles.OPTIMIZER, WeightFiles.LEGACY_OPTIMIZER, conf)));
    }
}
