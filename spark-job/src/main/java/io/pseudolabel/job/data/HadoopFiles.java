package io.pseudolabel.job.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Reads and writes whole files on any Hadoop filesystem (local paths, file:, hdfs:, s3a:). */
public final class HadoopFiles {
    private HadoopFiles() {}

    // Compiled once: the driver normalizes several paths per listed image (String.matches compiles each time).
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[a-zA-Z]:\\\\.*");

    /** A path string with a scheme; plain local paths become absolute file: URIs. */
    public static String normalize(String uri) {
        if (SCHEME.matcher(uri).matches() && !WINDOWS_DRIVE.matcher(uri).matches()) {
            return uri;
        }
        return java.nio.file.Path.of(uri).toAbsolutePath().normalize().toUri().toString();
    }

    public static FileSystem fs(String uri, Configuration conf) {
        try {
            return FileSystem.get(URI.create(normalize(uri)), conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open filesystem for " + uri, e);
        }
    }

    public static byte[] read(String uri, Configuration conf) throws IOException {
        return read(uri, Integer.MAX_VALUE - 16, conf);
    }

    /** A file larger than the limit it was read with; nothing of it was read. */
    public static final class FileTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        FileTooLargeException(String message) {
            super(message);
        }
    }

    /**
     * The whole file, refused from its status (before any byte is read or allocated) when it is larger than
     * {@code maxBytes}.
     */
    public static byte[] read(String uri, long maxBytes, Configuration conf) throws IOException {
        Path p = new Path(normalize(uri));
        FileSystem fs = p.getFileSystem(conf);
        long len = fs.getFileStatus(p).getLen();
        long limit = Math.min(maxBytes, Integer.MAX_VALUE - 16);
        if (len > limit) {
            throw new FileTooLargeException(uri + " is " + len + " bytes, more than the limit of " + limit
                    + (limit == maxBytes ? " (pseudolabel.image.max-file-size)" : " (a Java array)"));
        }
        byte[] data = new byte[(int) len];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(0, data);
        }
        return data;
    }

    public static String readString(String uri, Configuration conf) throws IOException {
        return new String(read(uri, conf), StandardCharsets.UTF_8);
    }

    /**
     * A small text file that other processes replace with {@link #writeAtomically} ({@code _LATEST}, a lease):
     * if it is replaced between the length check and the read (S3A then refuses the read of the old version
     * with {@code RemoteFileChangedException}), it is read again.
     */
    public static String readCurrent(String uri, Configuration conf) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return readString(uri, conf);
            } catch (IOException e) {
                if (attempt >= 10 || !e.getClass().getName().equals("org.apache.hadoop.fs.s3a.RemoteFileChangedException")) {
                    throw e;
                }
                try {
                    // a random pause, so a reader does not keep meeting the same writer at the same moment
                    Thread.sleep(ThreadLocalRandom.current().nextLong(5, 50));
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading " + uri);
                }
            }
        }
    }

    public static boolean exists(String uri, Configuration conf) {
        try {
            Path p = new Path(normalize(uri));
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + uri, e);
        }
    }

    /** Writes {@code data} to {@code uri} (replacing it), without a local checksum file beside it. */
    public static void write(String uri, byte[] data, Configuration conf) throws IOException {
        Path target = new Path(normalize(uri));
        FileSystem fs = target.getFileSystem(conf);
        if (fs instanceof LocalFileSystem local) {
            fs = local.getRawFileSystem();
        }
        try (FSDataOutputStream out = fs.create(target, true)) {
            out.write(data);
        }
    }

    /**
     * A sibling of {@code uri} in the same folder, hidden and unique: {@code .<name>.<tag>-<nanos>}. Temporary
     * files and folders go there, so a rename to {@code uri} stays on one file system (and, locally, is atomic).
     */
    public static String sibling(String uri, String tag) {
        Path p = new Path(normalize(uri));
        return new Path(p.getParent(), "." + p.getName() + "." + tag + "-" + System.nanoTime()).toString();
    }

    /**
     * Writes {@code data} to {@code uri} so that a reader sees either the old file or the whole new one, and
     * never no file: on the local file system a temporary file moved over the target with {@code rename(2)}
     * ({@code ATOMIC_MOVE}); on S3 one PUT (an object is replaced only when its upload completes); elsewhere
     * (HDFS) a temporary file renamed over the target by {@link FileContext} with {@code OVERWRITE}, which the
     * NameNode does in one step. Nothing is deleted first.
     */
    public static void writeAtomically(String uri, byte[] data, Configuration conf) throws IOException {
        Path target = new Path(normalize(uri));
        String scheme = target.toUri().getScheme();
        if ("file".equals(scheme)) {
            java.nio.file.Path file = localPath(target);
            java.nio.file.Path tmp = localTemp(file);
            try {
                Files.write(tmp, data);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return;
        }
        FileSystem fs = target.getFileSystem(conf);
        if ("s3a".equals(scheme)) {
            try (FSDataOutputStream out = fs.create(target, true)) {
                out.write(data);
            }
            return;
        }
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(data);
            }
            FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
        } finally {
            deleteQuietly(fs, tmp);
        }
    }

    /**
     * Creates {@code uri} holding {@code data} only if nothing is there yet, in one step that two writers
     * cannot both win; a reader never sees the file half written. Returns false when the file already
     * existed (it is then left as it was). Local file system: the data goes to a temporary file that is
     * hard-linked to the target ({@code link(2)} fails when the target exists). S3: a PUT with
     * {@code If-None-Match: *} (S3A's conditional create; the store answers 412 when the object exists).
     * Elsewhere (HDFS): a temporary file renamed to the target by {@link FileContext} without
     * {@code OVERWRITE}, which the NameNode refuses when the target exists.
     */
    public static boolean createExclusive(String uri, byte[] data, Configuration conf) throws IOException {
        Path target = new Path(normalize(uri));
        String scheme = target.toUri().getScheme();
        if ("file".equals(scheme)) {
            java.nio.file.Path file = localPath(target);
            java.nio.file.Path tmp = localTemp(file);
            try {
                Files.write(tmp, data);
                Files.createLink(file, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        FileSystem fs = target.getFileSystem(conf);
        if ("s3a".equals(scheme)) {
            return S3ConditionalCreate.create(fs, target, data); // a class of its own: S3A is loaded only here
        }
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(data);
            }
            FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.NONE);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } finally {
            deleteQuietly(fs, tmp);
        }
    }

    private static java.nio.file.Path localPath(Path p) throws IOException {
        java.nio.file.Path file = new File(p.toUri().getPath()).toPath();
        Files.createDirectories(file.getParent());
        return file;
    }

    private static java.nio.file.Path localTemp(java.nio.file.Path file) {
        return file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException e) {
            // A leftover hidden temporary file; the operation's own outcome is what counts.
            LoggerFactory.getLogger(HadoopFiles.class).warn("cannot delete temporary file {}: {}", p,
                    e.toString());
        }
    }

    /**
     * Every file below {@code root}, recursively, in no particular order. The local file system is walked
     * with listStatus: listFiles builds a LocatedFileStatus per file, which copies its permissions, and
     * without Hadoop's native library the local file system forks {@code ls -ld} for them (a process per
     * file: 12,000 in one bench eval run, minutes on the driver for COCO's 82k images). Other file systems
     * keep listFiles, whose recursive listing on object stores is paged rather than one call per directory.
     */
    public static List<FileStatus> listFilesRecursive(FileSystem fs, Path root) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        if (!"file".equals(fs.getScheme())) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                out.add(it.next());
            }
            return out;
        }
        ArrayDeque<Path> dirs = new ArrayDeque<>(List.of(root));
        while (!dirs.isEmpty()) {
            for (FileStatus st : fs.listStatus(dirs.poll())) {
                if (st.isDirectory()) {
                    dirs.add(st.getPath());
                } else {
                    out.add(st);
                }
            }
        }
        return out;
    }

    public static String child(String parent, String name) {
        String p = normalize(parent);
        return p.endsWith("/") ? p + name : p + "/" + name;
    }
}
