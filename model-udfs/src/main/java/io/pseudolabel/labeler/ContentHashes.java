package io.pseudolabel.labeler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 of whole files, remembered in a small tab-separated file by absolute path, size and modification
 * time, so multi-GB model files are read once rather than every night. A file whose size or modification time
 * changed is read again. A file modified less than {@value #RACY_MILLIS} ms before it was hashed is not
 * remembered: a write in the same clock tick could leave its time unchanged. The cache is only a shortcut: if
 * it cannot be read or written the files are hashed anyway (and a warning says why).
 */
public final class ContentHashes {
    private static final Logger LOG = LoggerFactory.getLogger(ContentHashes.class);
    static final long RACY_MILLIS = 2000;

    private final Path file;

    private ContentHashes(Path file) {
        this.file = file;
    }

    /**
     * {@code content-sha256.tsv} in the user's model cache folder ({@code pseudolabel.models.cache-dir}), beside
     * the executors' model copies.
     */
    public static ContentHashes in(Path modelCacheDir) {
        return at(modelCacheDir.resolve("content-sha256.tsv"));
    }

    public static ContentHashes at(Path file) {
        return new ContentHashes(file);
    }

    /** The hex SHA-256 of each file's whole content, in the order given. */
    public synchronized Map<Path, String> sha256(List<Path> files) throws IOException {
        Map<String, String[]> known = read();
        boolean changed = false;
        Map<Path, String> out = new LinkedHashMap<>();
        for (Path f : files) {
            Path abs = f.toAbsolutePath().normalize();
            BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
            String size = Long.toString(a.size());
            String mtime = Long.toString(a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
            String[] entry = known.get(abs.toString());
            String hash;
            if (entry != null && entry[0].equals(size) && entry[1].equals(mtime)) {
                hash = entry[2];
            } else {
                long before = System.currentTimeMillis();
                hash = hash(abs);
                BasicFileAttributes after = Files.readAttributes(abs, BasicFileAttributes.class);
                boolean settled = after.size() == a.size() && after.lastModifiedTime().equals(a.lastModifiedTime())
                        && before - a.lastModifiedTime().toMillis() >= RACY_MILLIS;
                if (settled) {
                    known.put(abs.toString(), new String[] {size, mtime, hash});
                    changed = true;
                }
            }
            out.put(f, hash);
        }
        if (changed) {
            write(known);
        }
        return out;
    }

    static String hash(Path f) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** path -> {size, mtime ns, sha256}; lines that do not parse are skipped. */
    private Map<String, String[]> read() {
        Map<String, String[]> known = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return known;
        } catch (IOException e) {
            LOG.warn("cannot read the content-hash cache {} ({}); hashing model files in full", file, e.toString());
            return known;
        }
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length == 4 && f[3].matches("[0-9a-f]{64}")) {
                known.put(f[0], new String[] {f[1], f[2], f[3]});
            }
        }
        return known;
    }

    /** Entries of files that still exist, written next to the cache and moved over it in one step. */
    private void write(Map<String, String[]> known) {
        List<String> lines = new ArrayList<>();
        known.forEach((path, v) -> {
            if (Files.exists(Path.of(path))) {
                lines.add(path + "\t" + v[0] + "\t" + v[1] + "\t" + v[2]);
            }
        });
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(file.getParent());
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot write the content-hash cache {} ({}); model files will be hashed again next time", file,
                    e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException again) {
                LOG.warn("cannot delete {}: {}", tmp, again.toString());
            }
        }
    }
}
