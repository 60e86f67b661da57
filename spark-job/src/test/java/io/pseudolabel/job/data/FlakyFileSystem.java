package io.pseudolabel.job.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local file system under the scheme {@code flaky:} whose opens fail like a throttled or unreachable
 * store: the first {@link #failFirstOpens(int) N} opens of each file throw an {@link IOException} (not a
 * {@link java.io.FileNotFoundException}), then they succeed. Register it for a session with {@link #register};
 * its state is static, so it serves the driver and the executors of a {@code local[n]} session (one JVM).
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "flaky";
    private static volatile int failFirst;
    private static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

    public static void register(Configuration conf) {
        conf.set("fs." + SCHEME + ".impl", FlakyFileSystem.class.getName());
    }

    /** From now on the first {@code n} opens of each file fail ({@link Integer#MAX_VALUE}: every open); counts reset. */
    public static void failFirstOpens(int n) {
        failFirst = n;
        OPENS.clear();
    }

    /** Opens of {@code path} (its path part) since the last {@link #failFirstOpens}, failed ones included. */
    public static int opens(String path) {
        AtomicInteger n = OPENS.get(URI.create(path).getPath());
        return n == null ? 0 : n.get();
    }

    /** {@code flaky:} + the absolute local path, as Hadoop writes such paths. */
    public static String uri(java.nio.file.Path local) {
        return SCHEME + ":" + local.toAbsolutePath().normalize().toUri().getPath().replaceAll("/$", "");
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    // Hadoop's local statuses read permissions through java.io.File(uri), which takes file: URIs only.
    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return plain(super.getFileStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        FileStatus[] all = super.listStatus(f);
        for (int i = 0; i < all.length; i++) {
            all[i] = plain(all[i]);
        }
        return all;
    }

    private static FileStatus plain(FileStatus s) {
        return new FileStatus(s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), s.getPath());
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        int n = OPENS.computeIfAbsent(f.toUri().getPath(), k -> new AtomicInteger()).incrementAndGet();
        if (n <= failFirst) {
            throw new IOException("flaky: the store did not answer for " + f + " (open " + n + ")");
        }
        return super.open(f, bufferSize);
    }
}
