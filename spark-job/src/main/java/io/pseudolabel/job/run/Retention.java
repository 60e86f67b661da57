package io.pseudolabel.job.run;

import com.typesafe.config.Config;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code pseudolabel.runs.*}: how many label runs an output root keeps. After a run is published, complete runs
 * (with a {@code _MANIFEST.json}) beyond the newest {@code keep} are deleted, and incomplete ones (failed or
 * killed before their manifest) whose newest file is older than {@code incomplete-grace}. The run
 * {@code _LATEST} names is never deleted, nor an incomplete run younger than the grace (it may be running).
 * Every deletion is printed.
 *
 * @param keep complete runs kept, newest first by their manifest's time; 0 keeps every run
 */
public record Retention(int keep, long incompleteGraceMillis) {

    public Retention {
        if (keep < 0 || incompleteGraceMillis < 0) {
            throw new IllegalArgumentException("pseudolabel.runs: keep and incomplete-grace must not be negative");
        }
    }

    public static Retention from(Config root) {
        RunSettings s = RunSettings.from(root);
        return new Retention(s.keep(), s.incompleteGraceMillis());
    }

    /** {@link #apply} with the settings of {@code config}: what {@code label} calls once it has published. */
    public static List<String> afterPublish(Config config, String output, Configuration conf, PrintStream out)
            throws IOException {
        return from(config).apply(output, conf, System.currentTimeMillis(), out);
    }

    /** A run folder and what retention needs to know of it. */
    private record Run(String id, Path dir, boolean complete, long time) {}

    /**
     * Deletes what the settings do not keep under {@code output}.
     *
     * @param now the time incomplete runs are aged against
     * @return the ids of the runs deleted
     */
    public List<String> apply(String output, Configuration conf, long now, PrintStream out) throws IOException {
        if (keep == 0) {
            return List.of();
        }
        Path runs = new Path(HadoopFiles.normalize(HadoopFiles.child(output, "runs")));
        FileSystem fs = runs.getFileSystem(conf);
        Optional<String> latest = Runs.latest(output, conf);
        FileStatus[] dirs;
        try {
            dirs = fs.listStatus(runs);
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<Run> complete = new ArrayList<>();
        List<Run> incomplete = new ArrayList<>();
        for (FileStatus st : dirs) {
            if (!st.isDirectory()) {
                continue;
            }
            String id = st.getPath().getName();
            Path manifest = new Path(st.getPath(), "_MANIFEST.json");
            FileStatus m = status(fs, manifest);
            if (m != null) {
                complete.add(new Run(id, st.getPath(), true, m.getModificationTime()));
            } else {
                incomplete.add(new Run(id, st.getPath(), false, newest(fs, st)));
            }
        }
        complete.sort(Comparator.comparingLong(Run::time).thenComparing(Run::id).reversed());
        List<String> deleted = new ArrayList<>();
        for (int i = keep; i < complete.size(); i++) {
            Run r = complete.get(i);
            if (latest.isPresent() && latest.get().equals(r.id())) {
                continue;
            }
            delete(fs, r, "complete, beyond the newest " + keep + " (pseudolabel.runs.keep)", out);
            deleted.add(r.id());
        }
        for (Run r : incomplete) {
            long age = now - r.time();
            if (age <= incompleteGraceMillis || latest.isPresent() && latest.get().equals(r.id())) {
                continue;
            }
            delete(fs, r, "incomplete (no _MANIFEST.json), last written " + describe(age) + " ago, more than "
                    + describe(incompleteGraceMillis) + " (pseudolabel.runs.incomplete-grace)", out);
            deleted.add(r.id());
        }
        return deleted;
    }

    private static void delete(FileSystem fs, Run r, String why, PrintStream out) throws IOException {
        if (!fs.delete(r.dir(), true)) {
            throw new IOException("retention: cannot delete run " + r.dir());
        }
        out.println("retention: deleted run " + r.id() + " (" + why + ")");
    }

    private static FileStatus status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /** The newest modification time of the folder and everything below it (object stores give folders none). */
    private static long newest(FileSystem fs, FileStatus dir) throws IOException {
        long t = dir.getModificationTime();
        for (FileStatus f : HadoopFiles.listFilesRecursive(fs, dir.getPath())) {
            t = Math.max(t, f.getModificationTime());
        }
        return t;
    }

    static String describe(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toDays() >= 1) {
            return String.format(Locale.ROOT, "%.1f days", millis / 86_400_000.0);
        }
        if (d.toHours() >= 1) {
            return String.format(Locale.ROOT, "%.1f h", millis / 3_600_000.0);
        }
        return String.format(Locale.ROOT, "%.0f min", millis / 60_000.0);
    }
}
