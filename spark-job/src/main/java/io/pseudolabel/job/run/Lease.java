package io.pseudolabel.job.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One writer per output root. A run holds the root while a file {@code _lease/<generation>.json} with the
 * highest generation names it and is fresh: the holder rewrites it every {@code lease-heartbeat} and marks it
 * released when it ends. A run takes the lease by creating the next generation's file with
 * {@link HadoopFiles#createExclusive} (create-if-absent, which only one of two contenders can win), and only
 * when the current one is released or has had no heartbeat for its {@code lease-timeout} (a run that died).
 * A holder whose generation is no longer the highest has lost the lease and must not publish.
 *
 * <p>This needs create-if-absent and an atomic replace only (the file system's {@code link(2)} and
 * {@code rename(2)}; on HDFS the NameNode's rename; on S3 PUT with {@code If-None-Match: *} and a plain PUT).
 * Expiry compares the holder's heartbeat time with this machine's clock: clocks must agree to well within
 * the timeout.
 */
public final class Lease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
    public static final String DIR = "_lease";
    private static final Pattern FILE = Pattern.compile("(\\d{20})\\.json");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** What a lease file says: who holds the root, since when, the last sign of life. */
    public record Holder(String runId, String host, long pid, long startedAtMillis, long heartbeatAtMillis,
            long timeoutMillis, boolean released) {

        boolean expired(long now) {
            return now > heartbeatAtMillis + timeoutMillis;
        }

        Holder beat(long now) {
            return new Holder(runId, host, pid, startedAtMillis, now, timeoutMillis, released);
        }

        Holder release() {
            return new Holder(runId, host, pid, startedAtMillis, heartbeatAtMillis, timeoutMillis, true);
        }

        public String describe() {
            return "run " + runId + " (host " + host + ", pid " + pid + ", started " + Instant.ofEpochMilli(startedAtMillis)
                    + ", last heartbeat " + Instant.ofEpochMilli(heartbeatAtMillis) + ")";
        }
    }

    /** What the manifest records about the lease a run held. */
    public record Record(long generation, String host, long pid, Holder tookOverFrom) {}

    private record Current(long generation, Holder holder, String file) {}

    private final String output;
    private final long generation;
    private final Configuration conf;
    private final Holder tookOverFrom;
    private final ScheduledExecutorService heartbeat;
    private Holder mine;
    private volatile long lastBeat;
    private volatile String lost;

    private Lease(String output, long generation, Holder mine, Holder tookOverFrom, long heartbeatMillis,
            Configuration conf) {
        this.output = output;
        this.generation = generation;
        this.mine = mine;
        this.tookOverFrom = tookOverFrom;
        this.conf = conf;
        this.lastBeat = mine.heartbeatAtMillis();
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pseudolabel-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease of {@code output} for run {@code runId}, or throws {@link RunNotPublishedException}
     * ({@link RunNotPublishedException#OUTPUT_BUSY}) naming the run that holds it.
     */
    public static Lease acquire(String output, String runId, RunSettings settings, Configuration conf,
            PrintStream out) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            Current current = current(output, conf);
            long now = System.currentTimeMillis();
            if (current != null && !current.holder().released() && !current.holder().expired(now)) {
                throw busy(output, current.holder(), now);
            }
            Holder me = new Holder(runId, hostName(), ProcessHandle.current().pid(), now, now,
                    settings.leaseTimeoutMillis(), false);
            long generation = current == null ? 1 : current.generation() + 1;
            if (HadoopFiles.createExclusive(file(output, generation), json(me), conf)) {
                Holder previous = current == null || current.holder().released() ? null : current.holder();
                if (previous != null) {
                    out.printf(Locale.ROOT, "taking over the lease of %s from %s: no heartbeat for %d s "
                            + "(pseudolabel.runs.lease-timeout %d s)%n", output, previous.describe(),
                            (now - previous.heartbeatAtMillis()) / 1000, previous.timeoutMillis() / 1000);
                }
                forgetOlderThan(output, generation - 1, conf);
                return new Lease(output, generation, me, previous, settings.leaseHeartbeatMillis(), conf);
            }
            // Another run created this generation first: look again, and refuse it by name if it is alive.
        }
        throw new IOException("could not take the lease of " + output + ": other runs kept taking it ("
                + HadoopFiles.child(output, DIR) + ")");
    }

    static RunNotPublishedException busy(String output, Holder holder, long now) {
        return new RunNotPublishedException(RunNotPublishedException.OUTPUT_BUSY, String.format(Locale.ROOT,
                "output root %s is in use by %s, %d s ago; its lease expires at %s unless that run renews it "
                + "(pseudolabel.runs.lease-timeout). Wait for that run to finish; if it died, run again after "
                + "the lease expires.", output, holder.describe(), Math.max(0, now - holder.heartbeatAtMillis()) / 1000,
                Instant.ofEpochMilli(holder.heartbeatAtMillis() + holder.timeoutMillis())));
    }

    /** The lease this run holds, for its manifest. */
    public Record record() {
        return new Record(generation, mine.host(), mine.pid(), tookOverFrom);
    }

    /**
     * Throws {@link RunNotPublishedException} ({@link RunNotPublishedException#OUTPUT_BUSY}) unless this run
     * still holds the lease: its generation is the highest and its last heartbeat is within the timeout.
     */
    public void checkHeld() throws IOException {
        if (lost != null) {
            throw lostException(lost);
        }
        Current current = current(output, conf);
        if (current == null || current.generation() != generation) {
            throw lostException("run " + (current == null ? "?" : current.holder().describe()) + " took it over");
        }
        long silent = System.currentTimeMillis() - lastBeat;
        if (silent > mine.timeoutMillis()) {
            throw lostException("no heartbeat could be written for " + silent / 1000 + " s");
        }
    }

    private RunNotPublishedException lostException(String why) {
        return new RunNotPublishedException(RunNotPublishedException.OUTPUT_BUSY, "run " + mine.runId()
                + " lost the lease of " + output + " (" + why + "), so it does not move " + Runs.LATEST
                + "; its data and manifest are kept under " + Runs.runDir(output, mine.runId()));
    }

    private synchronized void beat() {
        if (lost != null) {
            return;
        }
        long now = System.currentTimeMillis();
        try {
            Current current = current(output, conf);
            if (current == null || current.generation() != generation) {
                lost = "the lease was taken over by "
                        + (current == null ? "another run" : current.holder().describe());
                LOG.warn("run {}: {}", mine.runId(), lost);
                return;
            }
            mine = mine.beat(now);
            HadoopFiles.writeAtomically(file(output, generation), json(mine), conf);
            lastBeat = now;
        } catch (IOException | RuntimeException e) {
            LOG.warn("run {}: cannot renew the lease of {}: {}", mine.runId(), output, e.toString());
            if (now - lastBeat > mine.timeoutMillis()) {
                lost = "no heartbeat could be written since " + Instant.ofEpochMilli(lastBeat) + ": " + e;
            }
        }
    }

    /** Stops the heartbeat and marks the lease released, so the next run need not wait for it to expire. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (lost != null) {
                return;
            }
            try {
                Current current = current(output, conf);
                if (current != null && current.generation() == generation) {
                    mine = mine.release();
                    HadoopFiles.writeAtomically(file(output, generation), json(mine), conf);
                }
            } catch (IOException | RuntimeException e) {
                // The run's outcome stands; the next run waits until the lease expires instead.
                LOG.warn("run {}: cannot release the lease of {} ({}); it expires at {}", mine.runId(), output, e,
                        Instant.ofEpochMilli(lastBeat + mine.timeoutMillis()));
            }
        }
    }

    /** The lease file of the highest generation and what it says; null when the root has never had one. */
    private static Current current(String output, Configuration conf) throws IOException {
        String dir = HadoopFiles.child(output, DIR);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        for (int attempt = 0; ; attempt++) {
            long best = -1;
            try {
                for (FileStatus st : fs.listStatus(new Path(dir))) {
                    Matcher m = FILE.matcher(st.getPath().getName());
                    if (m.matches()) {
                        best = Math.max(best, Long.parseLong(m.group(1)));
                    }
                }
            } catch (FileNotFoundException e) {
                return null;
            }
            if (best < 0) {
                return null;
            }
            String file = file(output, best);
            try {
                return new Current(best, parse(HadoopFiles.readCurrent(file, conf), file), file);
            } catch (FileNotFoundException e) {
                if (attempt >= 3) {
                    throw e; // listed but gone each time: something deletes lease files
                }
            }
        }
    }

    private static Holder parse(String json, String file) throws IOException {
        try {
            Holder h = GSON.fromJson(json, Holder.class);
            if (h == null || h.runId() == null || h.timeoutMillis() <= 0) {
                throw new JsonParseException("missing fields");
            }
            return h;
        } catch (JsonParseException e) {
            throw new IOException("lease file " + file + " is not a lease (" + e.getMessage() + "); if no run is "
                    + "writing to this output root, delete it", e);
        }
    }

    /** Deletes lease files of generations below {@code keepFrom}: only the last two are kept. */
    private static void forgetOlderThan(String output, long keepFrom, Configuration conf) {
        String dir = HadoopFiles.child(output, DIR);
        try {
            FileSystem fs = HadoopFiles.fs(dir, conf);
            for (FileStatus st : fs.listStatus(new Path(dir))) {
                Matcher m = FILE.matcher(st.getPath().getName());
                if (m.matches() && Long.parseLong(m.group(1)) < keepFrom) {
                    fs.delete(st.getPath(), false);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot delete old lease files under {}: {}", dir, e.toString());
        }
    }

    static String file(String output, long generation) {
        return HadoopFiles.child(output, DIR + "/" + String.format(Locale.ROOT, "%020d.json", generation));
    }

    private static byte[] json(Holder h) {
        return GSON.toJson(h).getBytes(StandardCharsets.UTF_8);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
