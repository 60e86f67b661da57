package io.pseudolabel.job.run;

import com.google.gson.Gson;
import io.pseudolabel.job.S3TestServer;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code _LATEST} on a local folder and on an S3-compatible server (s3proxy on loopback): replaced without a
 * moment in which it is missing, moved only by compare-and-set from the run a publisher planned from, found
 * by readers even when a publisher stopped between its commit and the move, and the lease refused or taken
 * over through the store's own create-if-absent.
 */
class PublishTest {
    static final String BUCKET = "publish-test";

    @TempDir
    static Path tmp;
    static S3TestServer s3;
    static Configuration conf = new Configuration();
    static AtomicInteger roots = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start();
        s3.createBucket(BUCKET);
        s3.applyTo(conf, BUCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    /** A fresh output root on the given store. */
    static String root(String store) {
        int n = roots.incrementAndGet();
        return store.equals("s3") ? "s3a://" + BUCKET + "/out" + n : HadoopFiles.normalize(tmp.resolve("out" + n).toString());
    }

    static String read(String uri) throws Exception {
        return HadoopFiles.readCurrent(uri, conf).strip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void latestIsNeverMissingWhileItIsReplaced(String store) throws Exception {
        String root = root(store);
        String latest = HadoopFiles.child(root, Runs.LATEST);
        HadoopFiles.writeAtomically(latest, "r0\n".getBytes(StandardCharsets.UTF_8), conf);
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get() && broken.get() == null) {
                try {
                    String run = read(latest);
                    if (!run.matches("r\\d+")) {
                        broken.set("read '" + run + "'");
                    }
                    reads.incrementAndGet();
                } catch (FileNotFoundException e) {
                    broken.set("_LATEST missing after " + reads.get() + " reads");
                } catch (Exception e) {
                    broken.set(e.toString());
                }
            }
        }, "latest-reader");
        reader.start();
        int writes = store.equals("s3") ? 150 : 2000;
        try {
            for (int i = 1; i <= writes && broken.get() == null; i++) {
                HadoopFiles.writeAtomically(latest, ("r" + i + "\n").getBytes(StandardCharsets.UTF_8), conf);
                if (store.equals("s3")) {
                    Thread.sleep(5); // readers stat, then read that version: leave them a chance now and then
                }
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertNull(broken.get(), broken.get());
        assertTrue(reads.get() > 0);
        assertEquals("r" + writes, read(latest));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void latestMovesOnlyFromTheRunAPublisherPlannedFrom(String store) throws Exception {
        String root = root(store);
        Runs.publish(root, "r1", null, conf);
        assertEquals("r1", read(HadoopFiles.child(root, Runs.LATEST)));
        // A second run that also saw an empty root loses: _LATEST exists now.
        RunNotPublishedException first = assertThrows(RunNotPublishedException.class,
                () -> Runs.publish(root, "r1b", null, conf));
        assertEquals(RunNotPublishedException.OUTPUT_BUSY, first.exitCode());
        assertTrue(first.getMessage().contains("run r1 was published there first"), first.getMessage());

        Runs.publish(root, "r2", "r1", conf);
        // r3 planned from r1 too (before r2 was published): it must not replace r2's rows.
        RunNotPublishedException stale = assertThrows(RunNotPublishedException.class,
                () -> Runs.publish(root, "r3", "r1", conf));
        assertTrue(stale.getMessage().contains("it planned from run r1, but run r2 was published there first"),
                stale.getMessage());
        assertEquals("r2", read(HadoopFiles.child(root, Runs.LATEST)));
        assertEquals("r2", Runs.latest(root, conf).orElseThrow());
        Runs.publish(root, "r3", "r2", conf);
        assertEquals("r3", Runs.latest(root, conf).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void readersFollowACommitWhoseLatestWasNotMovedAndTheNextRunRepairsIt(String store) throws Exception {
        String root = root(store);
        Runs.publish(root, "r1", null, conf);
        // What a publisher killed between its commit (r1/_NEXT) and replacing _LATEST leaves behind.
        assertTrue(HadoopFiles.createExclusive(Runs.next(root, "r1"), "r2\n".getBytes(StandardCharsets.UTF_8), conf));
        assertEquals("r1", read(HadoopFiles.child(root, Runs.LATEST)));
        assertEquals("r2", Runs.latest(root, conf).orElseThrow());
        assertEquals(Runs.labelsDir(root, "r2"), Runs.resolveLabels(root, conf));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals("r2", Runs.repairLatest(root, conf, new PrintStream(log, true, StandardCharsets.UTF_8))
                .orElseThrow());
        assertEquals("r2", read(HadoopFiles.child(root, Runs.LATEST)));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("run r2 was published after it"), log.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void createExclusiveIsWonOnceAndLeavesTheWinnersBytes(String store) throws Exception {
        String file = HadoopFiles.child(root(store), "claim");
        assertTrue(HadoopFiles.createExclusive(file, "a".getBytes(StandardCharsets.UTF_8), conf));
        assertFalse(HadoopFiles.createExclusive(file, "b".getBytes(StandardCharsets.UTF_8), conf));
        assertEquals("a", read(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aHeldLeaseRefusesByNameAndAnExpiredOneIsTakenOver(String store) throws Exception {
        String root = root(store);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        RunSettings settings = new RunSettings(60_000, 20_000, 0.05, 7, 172_800_000L);
        try (Lease held = Lease.acquire(root, "first", settings, conf, quiet)) {
            RunNotPublishedException busy = assertThrows(RunNotPublishedException.class,
                    () -> Lease.acquire(root, "second", settings, conf, quiet));
            assertTrue(busy.getMessage().contains("in use by run first"), busy.getMessage());
            held.checkHeld();
        }
        // Released: the next run takes it at once.
        try (Lease next = Lease.acquire(root, "second", settings, conf, quiet)) {
            assertEquals(2, next.record().generation());
            assertNull(next.record().tookOverFrom());
        }
        // A holder that died: its last heartbeat is older than its timeout.
        long old = System.currentTimeMillis() - 120_000;
        Lease.Holder dead = new Lease.Holder("dead", "gone-host", 1, old, old, 60_000, false);
        assertTrue(HadoopFiles.createExclusive(Lease.file(root, 3), new Gson().toJson(dead)
                .getBytes(StandardCharsets.UTF_8), conf));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Lease taken = Lease.acquire(root, "third", settings, conf,
                new PrintStream(log, true, StandardCharsets.UTF_8))) {
            assertEquals(4, taken.record().generation());
            assertEquals("dead", taken.record().tookOverFrom().runId());
            taken.checkHeld();
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("taking over the lease"), log.toString());
    }
}
