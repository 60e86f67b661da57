package io.pseudolabel.job;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.data.FlakyFileSystem;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.job.run.LeaseHolderProcess;
import io.pseudolabel.job.run.RunNotPublishedException;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nightly contract on a local output root, with real runs: an unchanged night succeeds without loading a
 * model, one writer per root (a live holder refuses the next run by name, a dead one's lease is taken over),
 * the failure gate, and read errors from the file system retried and then reported as such.
 */
class NightlyRunTest {
    @TempDir
    Path tmp;

    @AfterEach
    void healthyStore() {
        FlakyFileSystem.failFirstOpens(0);
    }

    static Path images(Path dir, int from, int to) throws Exception {
        Files.createDirectories(dir);
        for (int i = from; i < to; i++) {
            IncrementalRunTest.writeScene(dir, "img" + i, i);
        }
        return dir;
    }

    LabelJob.Summary label(String images, Path out, String runId, Map<String, String> more) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("pseudolabel.job.layout", "folder",
                "pseudolabel.job.classes", IncrementalRunTest.classesFile(out).toString(),
                "pseudolabel.job.read-retry-backoff", "10ms"));
        settings.putAll(more);
        return LabelJob.run(TestSpark.session(), TestSpark.config(settings),
                new LabelJob.Options(images, out.toString(), runId, true),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    static MainTest.Run cli(String images, Path out, String runId, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("label", "--images", images, "--models",
                TestSpark.fixtureModels().toString(), "--output", out.toString(), "--layout", "folder", "--classes",
                IncrementalRunTest.classesFile(out).toString(), "--run-id", runId, "--incremental", "--master",
                "local[2]", "--conf", "pseudolabel.job.read-retry-backoff=10ms"));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(new String[0]));
    }

    static String latest(Path out) throws Exception {
        return Files.readString(out.resolve("_LATEST")).strip();
    }

    static JsonObject manifest(Path out, String runId) throws Exception {
        return JsonParser.parseString(Files.readString(out.resolve("runs/" + runId + "/_MANIFEST.json")))
                .getAsJsonObject();
    }

    @Test
    void anUnchangedNightSucceedsWithoutLoadingAModelAndKeepsLatest() throws Exception {
        Path images = images(tmp.resolve("images"), 0, 3);
        Path out = tmp.resolve("out");
        MainTest.Run first = cli(images.toString(), out, "night1");
        assertEquals(0, first.code(), first.err());

        ExecutorModels.clear(); // local[2]: the executors are this JVM; a task that runs would load again
        MainTest.Run second = cli(images.toString(), out, "night2");
        assertEquals(0, second.code(), second.err());
        assertEquals(0, ExecutorModels.open(), "no model set loaded when nothing needs labelling");
        assertEquals("night1", latest(out), "an unchanged night leaves _LATEST on the run that holds the rows");
        JsonObject m = manifest(out, "night2");
        assertEquals("unchanged", m.get("outcome").getAsString());
        assertEquals("night1", m.get("previousRun").getAsString());
        assertEquals(0, m.getAsJsonArray("executors").size(), "no label task ran: " + m);
        assertEquals(0, m.get("labelled").getAsLong());
        assertEquals(3, m.get("carriedOver").getAsLong());
        assertFalse(Files.exists(out.resolve("runs/night2/labels")), "no table is written for an unchanged night");
        MainTest.assertContains(second.out(), "unchanged", "_LATEST stays night1");

        // The next night with one new image plans from night1, labels that image and publishes.
        images(images, 3, 4);
        MainTest.Run third = cli(images.toString(), out, "night3");
        assertEquals(0, third.code(), third.err());
        assertEquals("night3", latest(out));
        JsonObject m3 = manifest(out, "night3");
        assertEquals("published", m3.get("outcome").getAsString());
        assertEquals("night1", m3.get("previousRun").getAsString());
        assertEquals(1, m3.get("labelled").getAsLong());
        assertEquals(4, TestSpark.session().read().parquet(out.resolve("runs/night3/labels").toString()).count());

        // A night that lists nothing (a wrong prefix, a lost mount) would publish an empty table: refused.
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        MainTest.Run none = cli(empty.toString(), out, "night4");
        assertEquals(1, none.code(), none.out());
        MainTest.assertContains(none.err(), "no images listed under " + empty, "_LATEST still names run night3");
        assertEquals("night3", latest(out));
    }

    @Test
    void twoRunsOnOneRootOneIsRefusedByNameAndLatestAlwaysNamesACompleteRun() throws Exception {
        Path images = images(tmp.resolve("images"), 0, 2);
        Path out = tmp.resolve("out");
        label(images.toString(), out, "night1", Map.of());
        images(images, 2, 4);

        AtomicReference<String> broken = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        Thread watcher = new Thread(() -> {
            while (!stop.get() && broken.get() == null) {
                try {
                    String run = latest(out);
                    if (!Files.exists(out.resolve("runs/" + run + "/_MANIFEST.json"))
                            || !Files.exists(out.resolve("runs/" + run + "/labels/_SUCCESS"))) {
                        broken.set("_LATEST names " + run + ", which is not complete");
                    }
                    reads.incrementAndGet();
                } catch (NoSuchFileException e) {
                    broken.set("_LATEST missing");
                } catch (Exception e) {
                    broken.set(e.toString());
                }
            }
        }, "latest-watcher");
        watcher.start();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<LabelJob.Summary> night = pool.submit(() -> label(images.toString(), out, "night2", Map.of()));
            waitForLeaseOf(out, "night2", night);
            // A manual run, or a retry beside an orphaned application, on the same root while night2 runs.
            RunNotPublishedException refused = assertThrows(RunNotPublishedException.class,
                    () -> label(images.toString(), out, "manual", Map.of()));
            assertEquals(RunNotPublishedException.OUTPUT_BUSY, refused.exitCode());
            MainTest.assertContains(refused.getMessage(), "in use by run night2",
                    "host " + InetAddress.getLocalHost().getHostName(), "pid " + ProcessHandle.current().pid());
            LabelJob.Summary survivor = night.get(10, TimeUnit.MINUTES);
            assertEquals(2, survivor.labelled());
        } finally {
            pool.shutdownNow();
            stop.set(true);
            watcher.join();
        }
        assertNull(broken.get(), broken.get());
        assertTrue(reads.get() > 0);
        assertEquals("night2", latest(out));
        JsonObject m = manifest(out, "night2");
        assertEquals("night1", m.get("previousRun").getAsString(), "the survivor names the run it followed");
        assertEquals("published", m.get("outcome").getAsString());
        assertFalse(Files.exists(out.resolve("runs/manual")), "the refused run wrote nothing");
        // The lease was released: the next run need not wait for it to expire.
        assertEquals("night3", label(images.toString(), out, "night3", Map.of()).runId());
    }

    /** Waits until {@code runId} holds the lease of {@code out} (fails if its run ends first). */
    static void waitForLeaseOf(Path out, String runId, Future<?> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (run.isDone()) {
                run.get();
                throw new AssertionError(runId + " finished before it was seen holding the lease");
            }
            try (Stream<Path> files = Files.exists(out.resolve("_lease")) ? Files.list(out.resolve("_lease"))
                    : Stream.empty()) {
                for (Path f : files.filter(p -> p.getFileName().toString().matches("\\d{20}\\.json")).toList()) {
                    try {
                        JsonObject h = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
                        if (runId.equals(h.get("runId").getAsString()) && !h.get("released").getAsBoolean()) {
                            return;
                        }
                    } catch (NoSuchFileException e) {
                        // an older generation deleted as we listed
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(runId + " never took the lease of " + out);
    }

    @Test
    void aLiveHolderRefusesTheNextRunAndADeadOnesLeaseIsTakenOverOnceExpired() throws Exception {
        Path images = images(tmp.resolve("images"), 0, 2);
        Path out = tmp.resolve("out");
        Process holder = LeaseHolderProcess.start(out.toString(), "crashed-night", 3000, 1000);
        long pid = holder.pid();
        try {
            MainTest.Run refused = cli(images.toString(), out, "night1");
            assertEquals(RunNotPublishedException.OUTPUT_BUSY, refused.code(), refused.err());
            MainTest.assertContains(refused.err(), "in use by run crashed-night", "pid " + pid, "lease expires at");
        } finally {
            holder.destroyForcibly(); // the run dies: no heartbeat, no release
            holder.waitFor(1, TimeUnit.MINUTES);
        }
        assertFalse(Files.exists(out.resolve("_LATEST")));
        // Its lease expires lease-timeout (3 s here) after its last heartbeat; then the next run takes it over.
        Path leaseFile = out.resolve("_lease/00000000000000000001.json");
        JsonObject dead = JsonParser.parseString(Files.readString(leaseFile)).getAsJsonObject();
        long expires = dead.get("heartbeatAtMillis").getAsLong() + dead.get("timeoutMillis").getAsLong();
        while (System.currentTimeMillis() <= expires + 50) {
            Thread.sleep(50);
        }
        MainTest.Run taken = cli(images.toString(), out, "night1");
        assertEquals(0, taken.code(), taken.err());
        MainTest.assertContains(taken.out(), "taking over the lease", "run crashed-night", "pid " + pid);
        assertEquals("night1", latest(out));
        JsonObject lease = manifest(out, "night1").getAsJsonObject("lease");
        assertEquals(2, lease.get("generation").getAsLong());
        assertEquals("crashed-night", lease.getAsJsonObject("tookOverFrom").get("runId").getAsString());
    }

    @Test
    void aNightOfUnreadableFilesIsKeptButNotPublishedAndTheCommandFails() throws Exception {
        FlakyFileSystem.register(TestSpark.session().sparkContext().hadoopConfiguration());
        FlakyFileSystem.failFirstOpens(0);
        Path images = images(tmp.resolve("images"), 0, 3);
        String uri = FlakyFileSystem.uri(images);
        Path out = tmp.resolve("out");
        MainTest.Run first = cli(uri, out, "night1");
        assertEquals(0, first.code(), first.err());

        // Overnight the files are rewritten, and the store stops answering (expired credentials, an outage).
        try (Stream<Path> files = Files.list(images)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            }
        }
        FlakyFileSystem.failFirstOpens(Integer.MAX_VALUE);
        MainTest.Run night = cli(uri, out, "night2");
        assertEquals(RunNotPublishedException.FAILED_GATE, night.code(), night.out() + night.err());
        MainTest.assertContains(night.err(), "run night2 was labelled but not published", "3 of 3 images failed",
                "pseudolabel.job.max-failed-fraction = 0.05", "{READ_ERROR=3}", "_LATEST still names run night1",
                "error: cannot read " + uri + "/img0.jpg (4 attempts): flaky: the store did not answer");
        assertEquals("night1", latest(out), "a failed night does not move _LATEST");
        // Default job.read-retries = 3: each file was tried four times.
        assertEquals(4, FlakyFileSystem.opens(uri + "/img1.jpg"));
        // The run is kept for inspection: its rows and its manifest.
        Map<String, Row> rows = rowsById(out.resolve("runs/night2/labels"));
        assertEquals(3, rows.size());
        rows.values().forEach(r -> assertEquals("READ_ERROR", r.getAs("status"), r.toString()));
        JsonObject m = manifest(out, "night2");
        assertEquals("not_published", m.get("outcome").getAsString());
        assertEquals(1.0, m.get("failedFraction").getAsDouble());
        assertEquals(3, m.getAsJsonObject("counts").get("READ_ERROR").getAsLong());

        // The store is back: the next night plans from night1, relabels the changed files and publishes.
        FlakyFileSystem.failFirstOpens(0);
        MainTest.Run next = cli(uri, out, "night3");
        assertEquals(0, next.code(), next.err());
        assertEquals("night3", latest(out));
        assertEquals("night1", manifest(out, "night3").get("previousRun").getAsString());
        assertEquals(3, manifest(out, "night3").get("labelled").getAsLong());
    }

    @Test
    void aTransientReadErrorIsRetriedAndAPersistentOneBecomesAReadErrorRow() throws Exception {
        FlakyFileSystem.register(TestSpark.session().sparkContext().hadoopConfiguration());
        Path images = images(tmp.resolve("images"), 0, 2);
        String uri = FlakyFileSystem.uri(images);

        FlakyFileSystem.failFirstOpens(2); // a throttled store: two failed opens per file, then it answers
        LabelJob.Summary retried = label(uri, tmp.resolve("out-retried"), "r1", Map.of());
        assertEquals(Map.of("OK", 2L), retried.counts());
        assertEquals(3, FlakyFileSystem.opens(uri + "/img0.jpg"));
        assertEquals(3, FlakyFileSystem.opens(uri + "/img1.jpg"));

        FlakyFileSystem.failFirstOpens(2);
        LabelJob.Summary failed = label(uri, tmp.resolve("out-failed"), "r1", Map.of("pseudolabel.job.read-retries",
                "1", "pseudolabel.job.max-failed-fraction", "1"));
        assertEquals(Map.of("READ_ERROR", 2L), failed.counts());
        assertEquals(2, FlakyFileSystem.opens(uri + "/img0.jpg"));
        Row r = rowsById(Path.of(URI.create(failed.labelsDir()))).get("img0");
        assertEquals("READ_ERROR", r.getAs("status"));
        assertEquals("cannot read " + uri + "/img0.jpg (2 attempts): flaky: the store did not answer for "
                + uri + "/img0.jpg (open 2)", r.getAs("error"));
    }

    static Map<String, Row> rowsById(Path labels) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : TestSpark.session().read().parquet(labels.toString()).collectAsList()) {
            out.put(r.getAs("image_id"), r);
        }
        return out;
    }
}
