package io.pseudolabel.job.label;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Model directories on S3 or HDFS are copied once per JVM into a local cache
 * ({@code java.io.tmpdir/pseudolabel-models/<hash>}), because ONNX Runtime loads from local files.
 * The hash covers the uri and every file's path, length and modification time, so models replaced at the
 * same uri are copied again rather than served stale from a cache that outlived an earlier application
 * (standalone executors share {@code /tmp}). Local paths are used as they are.
 */
public final class ModelLocalizer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLocalizer.class);
    private static final String COMPLETE = ".complete";
    /** uri -> local copy, so a JVM lists and copies a remote directory once, not once per task. */
    private static final Map<String, String> COPIED = new ConcurrentHashMap<>();

    private ModelLocalizer() {}

    public static LabelerSettings localize(LabelerSettings s, Configuration conf) {
        return new LabelerSettings(local(s.modelsDir(), conf), local(s.clipDir(), conf), local(s.dinoDir(), conf),
                local(s.samDir(), conf), s.runtime(), s.supervision(), s.clip(), s.dino(), s.sam(), s.grouping(),
                s.overlap(), s.image());
    }

    /**
     * Settings naming only the CLIP directory, for commands that use CLIP alone (eval-classify,
     * finetune-clip): localizing them copies neither Grounding-DINO nor SAM to the driver or the executors.
     *
     * @param command named in the error when neither {@code pseudolabel.models.dir} nor
     *                {@code pseudolabel.models.clip} is set
     */
    public static LabelerSettings clipOnly(Config config, String command) {
        String clip = config.getString("pseudolabel.models.clip");
        if (clip.isBlank()) {
            String dir = config.getString("pseudolabel.models.dir");
            if (dir.isBlank()) {
                throw new IllegalArgumentException(command + " needs --models DIR (pseudolabel.models.dir) or "
                        + "pseudolabel.models.clip");
            }
            clip = HadoopFiles.child(dir, "clip");
        }
        return LabelerSettings.from(config.withValue("pseudolabel.models.dir", ConfigValueFactory.fromAnyRef(""))
                .withValue("pseudolabel.models.clip", ConfigValueFactory.fromAnyRef(clip)));
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
        String known = COPIED.get(uri);
        if (known != null && Files.exists(java.nio.file.Path.of(known, COMPLETE))) {
            return known;
        }
        Path src = new Path(HadoopFiles.normalize(uri));
        FileSystem fs;
        String signature;
        try {
            fs = src.getFileSystem(conf);
            signature = signature(fs, src);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model directory " + uri + ": " + e.getMessage(), e);
        }
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "pseudolabel-models",
                hash(uri + "\n" + signature));
        if (Files.exists(dir.resolve(COMPLETE))) {
            COPIED.put(uri, dir.toString());
            return dir.toString();
        }
        long start = System.nanoTime();
        try {
            java.nio.file.Path tmp = Files.createDirectories(dir.resolveSibling(dir.getFileName() + ".tmp-"
                    + System.nanoTime()));
            for (var status : fs.listStatus(src)) {
                FileUtil.copy(fs, status.getPath(), tmp.resolve(status.getPath().getName()).toFile(), false, conf);
            }
            Files.createFile(tmp.resolve(COMPLETE));
            try {
                Files.move(tmp, dir);
            } catch (IOException raced) {
                // Another executor JVM on this host copied the same files first: use its copy, never replace
                // a directory that JVM's sessions may be loading from.
                FileUtil.fullyDelete(tmp.toFile());
                if (!Files.exists(dir.resolve(COMPLETE))) {
                    throw raced;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy model directory " + uri + " to " + dir + ": " + e.getMessage(),
                    e);
        }
        LOG.info("copied model directory {} to {} in {} ms", uri, dir, (System.nanoTime() - start) / 1_000_000);
        COPIED.put(uri, dir.toString());
        return dir.toString();
    }

    /** Relative path, length and modification time of every file under {@code root}, sorted. */
    private static String signature(FileSystem fs, Path root) throws IOException {
        if (!fs.exists(root)) {
            throw new java.io.FileNotFoundException("model directory not found: " + root);
        }
        String prefix = fs.getFileStatus(root).getPath().toString();
        List<String> lines = new ArrayList<>();
        for (FileStatus st : HadoopFiles.listFilesRecursive(fs, root)) {
            String p = st.getPath().toString();
            lines.add((p.startsWith(prefix) ? p.substring(prefix.length()) : p) + " " + st.getLen() + " "
                    + st.getModificationTime());
        }
        Collections.sort(lines);
        return String.join("\n", lines);
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
