package io.pseudolabel.job.run;

import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The layout of an output location: {@code runs/<run_id>/labels} (Parquet), {@code runs/<run_id>/inputs},
 * {@code runs/<run_id>/_MANIFEST.json}, and {@code _LATEST} naming the last published run, moved only after
 * that run's data and manifest are written, by compare-and-set ({@link #publish}); {@code _lease/} holds the
 * {@link Lease} of the run writing to the root.
 */
public final class Runs {
    public static final String LATEST = "_LATEST";
    /** In a published run's folder: the run published after it. */
    public static final String NEXT = "_NEXT";
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

    /**
     * The run a published run was followed by ({@code runs/<run_id>/_NEXT}): {@link #publish} creates it, in
     * one create-if-absent step, before it moves {@code _LATEST}.
     */
    static String next(String output, String runId) {
        return HadoopFiles.child(runDir(output, runId), NEXT);
    }

    /**
     * The last published run: the one {@code _LATEST} names, followed along {@code _NEXT} in case a publisher
     * stopped between its commit and moving {@code _LATEST} (one read per run passed; usually one read that
     * finds no {@code _NEXT}).
     */
    public static Optional<String> latest(String output, Configuration conf) {
        Optional<String> named = latestFile(output, conf);
        if (named.isEmpty()) {
            return named;
        }
        String run = named.get();
        Set<String> seen = new HashSet<>();
        while (seen.add(run)) {
            Optional<String> after = readRunId(next(output, run), conf);
            if (after.isEmpty()) {
                return Optional.of(run);
            }
            run = after.get();
        }
        throw new IllegalStateException("the _NEXT files under " + HadoopFiles.child(output, "runs")
                + " form a loop through run " + run + "; fix _LATEST and the _NEXT files by hand");
    }

    /** What {@code _LATEST} itself says, if it exists. */
    static Optional<String> latestFile(String output, Configuration conf) {
        return readRunId(HadoopFiles.child(output, LATEST), conf);
    }

    private static Optional<String> readRunId(String uri, Configuration conf) {
        String text;
        try {
            text = HadoopFiles.readCurrent(uri, conf);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(checkRunId(text.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(uri + " does not name a run: " + e.getMessage(), e);
        }
    }

    /**
     * Moves {@code _LATEST} to the last published run if a publisher stopped before moving it, and returns
     * that run. Call it holding the output root's {@link Lease}.
     */
    public static Optional<String> repairLatest(String output, Configuration conf, PrintStream out) throws IOException {
        Optional<String> named = latestFile(output, conf);
        Optional<String> latest = latest(output, conf);
        if (latest.isPresent() && !latest.equals(named)) {
            out.printf("%s named run %s, but run %s was published after it; moving %s to %s%n", LATEST, named.get(),
                    latest.get(), LATEST, latest.get());
            HadoopFiles.writeAtomically(HadoopFiles.child(output, LATEST), line(latest.get()), conf);
        }
        return latest;
    }

    /**
     * Publishes complete run {@code runId} as the successor of {@code previous}, the run it planned from (null
     * when the root had none). The commit is one create-if-absent: of {@code runs/<previous>/_NEXT}, or of
     * {@code _LATEST} itself for a root's first run, so of two runs planned from the same state one publishes
     * and the other is refused with {@link RunNotPublishedException} ({@link RunNotPublishedException#OUTPUT_BUSY})
     * and publishes nothing. Then {@code _LATEST} is replaced in one atomic step
     * ({@link HadoopFiles#writeAtomically}); readers that find it behind follow {@code _NEXT} ({@link #latest}).
     */
    public static void publish(String output, String runId, String previous, Configuration conf) throws IOException {
        checkRunId(runId);
        String latestUri = HadoopFiles.child(output, LATEST);
        if (previous == null) {
            if (!HadoopFiles.createExclusive(latestUri, line(runId), conf)) {
                throw conflict(output, runId, null, latestFile(output, conf).orElse("?"));
            }
            return;
        }
        if (!HadoopFiles.createExclusive(next(output, previous), line(runId), conf)) {
            throw conflict(output, runId, previous, readRunId(next(output, previous), conf).orElse("?"));
        }
        HadoopFiles.writeAtomically(latestUri, line(runId), conf);
    }

    private static RunNotPublishedException conflict(String output, String runId, String previous, String other) {
        return new RunNotPublishedException(RunNotPublishedException.OUTPUT_BUSY, "run " + runId + " was not "
                + "published: it planned from " + (previous == null ? "an empty output root" : "run " + previous)
                + ", but run " + other + " was published there first; " + LATEST + " under " + output
                + " names that run. This run's data and manifest are kept under " + runDir(output, runId));
    }

    private static byte[] line(String runId) {
        return (runId + "\n").getBytes(StandardCharsets.UTF_8);
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
