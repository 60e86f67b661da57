package io.pseudolabel.job.executor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.ModelCache;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Model directories on S3 or HDFS are copied once per JVM into a local cache, because ONNX Runtime loads from
 * local files. The cache is a folder of this user ({@code pseudolabel.models.cache-dir}, by default
 * {@code java.io.tmpdir/pseudolabel-models-<user>}, kept at 0700; one owned by another user is refused),
 * holding one copy per {@code <hash>} of the uri and every remote file's path, length and modification time,
 * so models replaced at the same uri are copied again rather than served stale. A copy is complete once its
 * {@code .complete} manifest (size and SHA-256 of every file) is written; it is verified against that manifest
 * before a JVM first reuses it, and replaced when it does not match. Leftovers of copies whose JVM died are
 * removed, and complete copies beyond {@code pseudolabel.models.cache-max-gb} are evicted, least recently used
 * first. Every deletion is logged. Local paths are used as they are.
 */
public final class ModelLocalizer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLocalizer.class);
    private static final String COMPLETE = ".complete";
    private static final String LAST_USED = ".last-used";
    private static final String TMP = ".tmp-";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** uri -> local copy, so a JVM lists, copies and verifies a remote directory once, not once per task. */
    private static final Map<String, String> COPIED = new ConcurrentHashMap<>();

    private ModelLocalizer() {}

    public static LabelerSettings localize(LabelerSettings s, Configuration conf) {
        ModelCache cache = s.modelCache();
        return new LabelerSettings(local(s.modelsDir(), cache, conf), local(s.clipDir(), cache, conf),
                local(s.dinoDir(), cache, conf), local(s.samDir(), cache, conf), s.runtime(), s.supervision(), s.clip(),
                s.dino(), s.sam(), s.grouping(), s.overlap(), s.image(), cache);
    }

    /**
     * Settings naming only the CLIP directory, for commands that use CLIP alone (eval-classify,
     * finetune-clip): localizing them copies neither Grounding-DINO nor SAM to the driver or the executors.
     *
     * @param command named in the error when neither {@code pseudolabel.models.dir} nor
     *                {@code pseudolabel.models.clip} is set
     */
    public static LabelerSettings clipOnly(Config config, String command) {
        LabelerSettings models = LabelerSettings.from(config);
        String clip = models.clipDir();
        if (clip.isBlank()) {
            String dir = models.modelsDir();
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

    /** Forgets what this JVM copied and verified, as a new JVM would (tests). */
    static void forget() {
        COPIED.clear();
    }

    /** A local directory holding {@code uri}'s files; blank stays blank. */
    static synchronized String local(String uri, ModelCache cache, Configuration conf) {
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
        java.nio.file.Path root = cacheRoot(cache);
        java.nio.file.Path dir = root.resolve(hash(uri + "\n" + signature));
        try {
            removeLeftovers(root);
            if (Files.exists(dir.resolve(COMPLETE))) {
                String mismatch = verify(dir);
                if (mismatch == null) {
                    touch(dir);
                    COPIED.put(uri, dir.toString());
                    return dir.toString();
                }
                LOG.warn("model cache: deleting {} ({} of {}): it does not match its manifest: {}", dir, uri,
                        signature.lines().count() + " files", mismatch);
                deleteTree(dir);
            }
            copy(fs, src, uri, dir, conf);
            touch(dir);
            evict(root, cache.maxBytes(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy model directory " + uri + " to " + dir + ": " + e.getMessage(),
                    e);
        }
        COPIED.put(uri, dir.toString());
        return dir.toString();
    }

    /** The cache folder, created 0700 for this user; one owned by someone else is refused, a looser one tightened. */
    public static java.nio.file.Path cacheRoot(ModelCache cache) {
        java.nio.file.Path root = cache.resolvedDir().toAbsolutePath();
        try {
            boolean posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.exists(root)) {
                if (posix) {
                    Files.createDirectories(root, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } else {
                    Files.createDirectories(root);
                }
            }
            UserPrincipal owner = Files.getOwner(root);
            UserPrincipal me = root.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            if (!owner.equals(me)) {
                throw new IllegalStateException("model cache " + root + " belongs to " + owner.getName() + ", not to "
                        + me.getName() + ": refusing to load models from it; set pseudolabel.models.cache-dir to a "
                        + "folder of your own");
            }
            if (posix && !Files.getPosixFilePermissions(root).equals(OWNER_ONLY)) {
                LOG.warn("model cache: {} was {}; setting it to rwx------", root,
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
                Files.setPosixFilePermissions(root, OWNER_ONLY);
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the model cache " + root + ": " + e.getMessage(), e);
        }
    }

    /** Copies into a temporary sibling named by this JVM's pid, writes the manifest, then renames it in place. */
    private static void copy(FileSystem fs, Path src, String uri, java.nio.file.Path dir, Configuration conf)
            throws IOException {
        long start = System.nanoTime();
        java.nio.file.Path tmp = Files.createDirectories(dir.resolveSibling(dir.getFileName() + TMP
                + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        try {
            for (var status : fs.listStatus(src)) {
                FileUtil.copy(fs, status.getPath(), tmp.resolve(status.getPath().getName()).toFile(), false, conf);
            }
            Files.writeString(tmp.resolve(COMPLETE), manifest(tmp), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir);
            } catch (IOException raced) {
                // Another executor JVM on this host copied the same files first: use its copy, never replace
                // a directory that JVM's sessions may be loading from.
                if (!Files.exists(dir.resolve(COMPLETE))) {
                    throw raced;
                }
            }
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        LOG.info("copied model directory {} to {} in {} ms", uri, dir, (System.nanoTime() - start) / 1_000_000);
    }

    /** One line per file: SHA-256, size, path relative to {@code dir}; sorted by path. */
    static String manifest(java.nio.file.Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (java.nio.file.Path f : files(dir)) {
            lines.add(sha256(f) + " " + Files.size(f) + " " + dir.relativize(f).toString().replace('\\', '/'));
        }
        lines.sort(Comparator.comparing(l -> l.substring(l.indexOf(' ', l.indexOf(' ') + 1) + 1)));
        return String.join("\n", lines) + "\n";
    }

    /** Why the copy in {@code dir} does not match its manifest (a file missing, added, resized or changed), or null. */
    static String verify(java.nio.file.Path dir) throws IOException {
        String expected = Files.readString(dir.resolve(COMPLETE), StandardCharsets.UTF_8);
        String actual = manifest(dir);
        if (expected.equals(actual)) {
            return null;
        }
        Set<String> want = new TreeSet<>(expected.lines().toList());
        Set<String> have = new TreeSet<>(actual.lines().toList());
        List<String> diff = new ArrayList<>();
        want.stream().filter(l -> !have.contains(l)).limit(3).forEach(l -> diff.add("expected " + l));
        have.stream().filter(l -> !want.contains(l)).limit(3).forEach(l -> diff.add("found " + l));
        return String.join("; ", diff);
    }

    /** Removes {@code <hash>.tmp-<pid>-<n>} folders whose JVM is gone (a copy that failed or was killed). */
    private static void removeLeftovers(java.nio.file.Path root) throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(root)) {
            for (java.nio.file.Path p : s.toList()) {
                String name = p.getFileName().toString();
                int at = name.indexOf(TMP);
                if (at < 0 || !Files.isDirectory(p)) {
                    continue;
                }
                String rest = name.substring(at + TMP.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue; // not ours
                }
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(p);
                    LOG.info("model cache: deleted {}, left by a copy whose JVM (pid {}) is gone", p, pid);
                }
            }
        }
    }

    /**
     * Deletes complete copies, least recently used first, until the cache holds at most {@code maxBytes}; never
     * {@code keep} nor a copy this JVM uses. Copies being made (temporary folders) are not counted.
     */
    private static void evict(java.nio.file.Path root, long maxBytes, java.nio.file.Path keep) throws IOException {
        record Copy(java.nio.file.Path dir, long bytes, long lastUsed) {}
        List<Copy> copies = new ArrayList<>();
        long total = 0;
        try (Stream<java.nio.file.Path> s = Files.list(root)) {
            for (java.nio.file.Path p : s.toList()) {
                java.nio.file.Path complete = p.resolve(COMPLETE);
                if (p.getFileName().toString().contains(TMP) || !Files.exists(complete)) {
                    continue;
                }
                long bytes = 0;
                for (String line : Files.readAllLines(complete, StandardCharsets.UTF_8)) {
                    String[] f = line.split(" ", 3);
                    bytes += f.length == 3 ? Long.parseLong(f[1]) : 0;
                }
                java.nio.file.Path used = p.resolve(LAST_USED);
                copies.add(new Copy(p, bytes, Files.getLastModifiedTime(Files.exists(used) ? used : complete)
                        .toMillis()));
                total += bytes;
            }
        }
        copies.sort(Comparator.comparingLong(Copy::lastUsed));
        Set<String> inUse = new HashSet<>(COPIED.values());
        for (Copy c : copies) {
            if (total <= maxBytes) {
                return;
            }
            if (c.dir().equals(keep) || inUse.contains(c.dir().toString())) {
                continue;
            }
            deleteTree(c.dir());
            total -= c.bytes();
            LOG.info("model cache: evicted {} ({} bytes, last used {}) to stay under {} bytes "
                    + "(pseudolabel.models.cache-max-gb)", c.dir(), c.bytes(), Instant.ofEpochMilli(
                    c.lastUsed()), maxBytes);
        }
        if (total > maxBytes) {
            LOG.warn("model cache: {} holds {} bytes in copies in use, more than {} (pseudolabel.models.cache-max-gb)",
                    root, total, maxBytes);
        }
    }

    private static void touch(java.nio.file.Path dir) throws IOException {
        java.nio.file.Path used = dir.resolve(LAST_USED);
        if (!Files.exists(used)) {
            Files.createFile(used);
        }
        Files.setLastModifiedTime(used, FileTime.fromMillis(System.currentTimeMillis()));
    }

    /** Every regular file below {@code dir} except the cache's own markers. */
    private static List<java.nio.file.Path> files(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(f -> !(f.getParent().equals(dir)
                    && (f.getFileName().toString().equals(COMPLETE) || f.getFileName().toString().equals(LAST_USED))))
                    .sorted().toList();
        }
    }

    private static String sha256(java.nio.file.Path f) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void deleteTree(java.nio.file.Path p) throws IOException {
        if (!FileUtil.fullyDelete(p.toFile()) && Files.exists(p)) {
            throw new IOException("cannot delete " + p);
        }
    }

    /**
     * Relative path, length, modification time and (where the store has one, as S3's) ETag of every file under
     * {@code root}, sorted. S3 keeps modification times to the second, so without the ETag a file replaced by one
     * of the same size within that second would keep its stale copy.
     */
    private static String signature(FileSystem fs, Path root) throws IOException {
        if (!fs.exists(root)) {
            throw new FileNotFoundException("model directory not found: " + root);
        }
        String prefix = fs.getFileStatus(root).getPath().toString();
        List<String> lines = new ArrayList<>();
        for (FileStatus st : HadoopFiles.listFilesRecursive(fs, root)) {
            String p = st.getPath().toString();
            String etag = st instanceof EtagSource e && e.getEtag() != null ? " " + e.getEtag()
                    : "";
            lines.add((p.startsWith(prefix) ? p.substring(prefix.length()) : p) + " " + st.getLen() + " "
                    + st.getModificationTime() + etag);
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
