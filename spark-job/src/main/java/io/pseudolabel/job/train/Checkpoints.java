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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * What the checkpoints under an output were trained on ({@code checkpoints/labels.json}, written when
     * training starts afresh): a train resumes only against the same labels and class list.
     *
     * @param labels the labels table read
     * @param labelsRun the label run it belongs to ({@code runs/<run_id>/labels}), null for another table
     */
    record Labels(String labels, String labelsRun, List<String> classes) {
        static Labels of(String labels, List<String> classes) {
            String uri = HadoopFiles.normalize(labels).replaceAll("/+$", "");
            Matcher m = Pattern.compile(".*/runs/([^/]+)/labels").matcher(uri);
            return new Labels(uri, m.matches() ? m.group(1) : null, List.copyOf(classes));
        }

        boolean sameLabels(Labels o) {
            return labelsRun != null && o.labelsRun != null ? labelsRun.equals(o.labelsRun) : labels.equals(o.labels);
        }

        String describe() {
            return (labelsRun != null ? "labels run " + labelsRun + " (" + labels + ")" : "labels " + labels)
                    + " with classes " + classes;
        }
    }

    static void saveLabels(String output, Labels labels, Configuration conf) throws IOException {
        HadoopFiles.writeAtomically(labelsFile(output), GSON.toJson(labels).getBytes(StandardCharsets.UTF_8), conf);
    }

    /**
     * Refuses to resume the checkpoints under {@code output} against other labels or another class list than
     * they were trained on, saying how to start afresh.
     */
    static void checkResume(String output, Labels now, Configuration conf) throws IOException {
        String file = labelsFile(output);
        String fresh = " Resuming would continue their weights on other labels. To start afresh, train into a "
                + "new --output (the checkpoints under " + dir(output) + " are kept).";
        if (!HadoopFiles.exists(file, conf)) {
            throw new IllegalArgumentException("the checkpoints under " + dir(output) + " do not record which labels "
                    + "they were trained on (no " + file + "); this train reads " + now.describe() + "." + fresh);
        }
        Labels then = GSON.fromJson(HadoopFiles.readString(file, conf), Labels.class);
        if (!then.sameLabels(now) || !then.classes().equals(now.classes())) {
            throw new IllegalArgumentException("the checkpoints under " + dir(output) + " were trained on "
                    + then.describe() + "; this train reads " + now.describe() + "." + fresh
                    + " To finish the training they belong to, pass --labels " + then.labels() + ".");
        }
    }

    private static String labelsFile(String output) {
        return HadoopFiles.child(dir(output), "labels.json");
    }

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
