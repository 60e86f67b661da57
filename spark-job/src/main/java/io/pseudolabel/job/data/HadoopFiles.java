package io.pseudolabel.job.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Reads and writes whole files on any Hadoop filesystem (local paths, file:, hdfs:, s3a:). */
public final class HadoopFiles {
    private HadoopFiles() {}

    /** A path string with a scheme; plain local paths become absolute file: URIs. */
    // Compiled once: the driver normalizes several paths per listed image (String.matches compiles each time).
    private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    private static final java.util.regex.Pattern WINDOWS_DRIVE = java.util.regex.Pattern.compile("^[a-zA-Z]:\\\\.*");

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
        Path p = new Path(normalize(uri));
        FileSystem fs = p.getFileSystem(conf);
        long len = fs.getFileStatus(p).getLen();
        if (len > Integer.MAX_VALUE - 16) {
            throw new IOException(uri + " is " + len + " bytes, too large to read");
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

    public static boolean exists(String uri, Configuration conf) {
        try {
            Path p = new Path(normalize(uri));
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + uri, e);
        }
    }

    /** Writes via a temporary name and a rename, so readers never see half a file. */
    public static void writeAtomically(String uri, byte[] data, Configuration conf) throws IOException {
        Path target = new Path(normalize(uri));
        FileSystem fs = target.getFileSystem(conf);
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
            fs = local.getRawFileSystem(); // no .crc side files next to exported PNGs and JSON
        }
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(data);
        }
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    public static String child(String parent, String name) {
        String p = normalize(parent);
        return p.endsWith("/") ? p + name : p + "/" + name;
    }
}
