package io.pseudolabel.job.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.segmenter.SegmenterWeights;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * Deletes round checkpoints beyond the newest {@code keep} (by round number), never the one {@code _LATEST}
     * names, and prints each deletion; returns the rounds deleted.
     */
    static List<String> prune(String output, int keep, Configuration conf, PrintStream out) throws IOException {
        Path dir = new Path(HadoopFiles.normalize(dir(output)));
        FileSystem fs = dir.getFileSystem(conf);
        String latestUri = HadoopFiles.child(dir(output), "_LATEST");
        String latest = HadoopFiles.exists(latestUri, conf) ? HadoopFiles.readString(latestUri, conf).strip() : null;
        List<String> rounds = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.isDirectory() && st.getPath().getName().matches("round-\\d+")) {
                rounds.add(st.getPath().getName());
            }
        }
        rounds.sort(Comparator.comparingLong((String r) -> Long.parseLong(r.substring("round-".length())))
                .reversed());
        List<String> deleted = new ArrayList<>();
        for (String r : rounds.subList(Math.min(keep, rounds.size()), rounds.size())) {
            if (r.equals(latest)) {
                continue;
            }
            if (!fs.delete(new Path(dir, r), true)) {
                throw new IOException("cannot delete checkpoint " + new Path(dir, r));
            }
            out.println("train: deleted checkpoint " + r + " (keeping the newest " + keep
                    + ", pseudolabel.train.keep-checkpoints)");
            deleted.add(r);
        }
        return deleted;
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
