package io.pseudolabel.job.label;

import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Model directories on S3 or HDFS are copied once per JVM into a local cache
 * ({@code java.io.tmpdir/pseudolabel-models/<hash of uri>}), because ONNX Runtime loads from local files.
 * Local paths are used as they are.
 */
public final class ModelLocalizer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLocalizer.class);
    private static final String COMPLETE = ".complete";

    private ModelLocalizer() {}

    public static LabelerSettings localize(LabelerSettings s, Configuration conf) {
        return new LabelerSettings(local(s.modelsDir(), conf), local(s.clipDir(), conf), local(s.dinoDir(), conf),
                local(s.samDir(), conf), s.runtime(), s.supervision(), s.clip(), s.dino(), s.sam(), s.grouping(),
                s.overlap(), s.maxPixels());
    }

    static boolean isRemote(String uri) {
        if (uri == null || uri.isBlank()) {
            return false;
        }
        String scheme = URI.create(HadoopFiles.normalize(uri)).getScheme();
        return scheme != null && !scheme.equals("file");
    }

    /** A local directory holding {@code uri}'s files; blank stays blank. */
    static synchronized String local(String uri, Configuration conf) {
        if (uri == null || uri.isBlank()) {
            return "";
        }
        if (!isRemote(uri)) {
            return uri.startsWith("file:") ? java.nio.file.Path.of(URI.create(uri)).toString() : uri;
        }
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "pseudolabel-models",
                hash(uri));
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir.toString();
        }
        long start = System.nanoTime();
        try {
            Path src = new Path(HadoopFiles.normalize(uri));
            FileSystem fs = src.getFileSystem(conf);
            java.nio.file.Path tmp = Files.createDirectories(dir.resolveSibling(dir.getFileName() + ".tmp-"
                    + System.nanoTime()));
            for (var status : fs.listStatus(src)) {
                FileUtil.copy(fs, status.getPath(), tmp.resolve(status.getPath().getName()).toFile(), false, conf);
            }
            Files.createFile(tmp.resolve(COMPLETE));
            if (Files.exists(dir)) {
                FileUtil.fullyDelete(dir.toFile());
            }
            Files.move(tmp, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy model directory " + uri + " to " + dir + ": " + e.getMessage(),
                    e);
        }
        LOG.info("copied model directory {} to {} in {} ms", uri, dir, (System.nanoTime() - start) / 1_000_000);
        return dir.toString();
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
