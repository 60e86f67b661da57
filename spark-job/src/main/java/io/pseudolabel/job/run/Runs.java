package io.pseudolabel.job.run;

import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The layout of an output location: {@code runs/<run_id>/labels} (Parquet), {@code runs/<run_id>/_MANIFEST.json},
 * and {@code _LATEST} naming the last complete run, written only after that run's data and manifest.
 */
public final class Runs {
    public static final String LATEST = "_LATEST";
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private Runs() {}

    public static String newRunId() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    public static String checkRunId(String id) {
        if (!RUN_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("run id must match " + RUN_ID.pattern() + ": '" + id + "'");
        }
        return id;
    }

    public static String runDir(String output, String runId) {
        return HadoopFiles.child(output, "runs/" + runId);
    }

    public static String labelsDir(String output, String runId) {
        return HadoopFiles.child(runDir(output, runId), "labels");
    }

    public static String manifest(String output, String runId) {
        return HadoopFiles.child(runDir(output, runId), "_MANIFEST.json");
    }

    /** The run {@code _LATEST} names, if any. */
    public static Optional<String> latest(String output, Configuration conf) {
        String uri = HadoopFiles.child(output, LATEST);
        if (!HadoopFiles.exists(uri, conf)) {
            return Optional.empty();
        }
        try {
            return Optional.of(checkRunId(HadoopFiles.readString(uri, conf).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri, e);
        }
    }

    /** Points {@code _LATEST} at {@code runId}; call only once the run is complete. */
    public static void publish(String output, String runId, Configuration conf) throws IOException {
        HadoopFiles.writeAtomically(HadoopFiles.child(output, LATEST),
                (runId + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), conf);
    }

    /**
     * A labels location from what a user passes: an output root (its {@code _LATEST}), a run directory,
     * or a labels directory itself.
     */
    public static String resolveLabels(String uri, Configuration conf) {
        Optional<String> latest = latest(uri, conf);
        if (latest.isPresent()) {
            return labelsDir(uri, latest.get());
        }
        String labels = HadoopFiles.child(uri, "labels");
        if (HadoopFiles.exists(HadoopFiles.child(uri, "_MANIFEST.json"), conf) && HadoopFiles.exists(labels, conf)) {
            return labels;
        }
        return HadoopFiles.normalize(uri);
    }
}
