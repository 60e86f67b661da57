package io.pseudolabel.labeler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole-file SHA-256 remembered by path, size and modification time. */
class ContentHashesTest {
    @TempDir
    Path tmp;

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aFileIsReadOnceWhileItsSizeAndTimeStayAndAgainWhenTheyChange() throws Exception {
        Path f = tmp.resolve("model.onnx");
        byte[] bytes = new byte[3 << 20];
        new Random(1).nextBytes(bytes);
        Files.write(f, bytes);
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        Files.setLastModifiedTime(f, old);
        ContentHashes cache = ContentHashes.at(tmp.resolve("cache/hashes.tsv"));
        assertEquals(sha256(bytes), cache.sha256(List.of(f)).get(f));
        assertTrue(Files.readString(tmp.resolve("cache/hashes.tsv")).contains(f.toAbsolutePath() + "\t"
                + (3 << 20) + "\t"));

        // Changed in the middle with size and time put back: the cache answers, the file is not read. (This is
        // the trade made for not reading GBs every night; a real change moves the time.)
        bytes[bytes.length / 2] ^= 1;
        Files.write(f, bytes);
        Files.setLastModifiedTime(f, old);
        assertNotEquals(sha256(bytes), cache.sha256(List.of(f)).get(f));
        // The same change with its own modification time is read again.
        Files.setLastModifiedTime(f, FileTime.fromMillis(old.toMillis() + 1000));
        assertEquals(sha256(bytes), cache.sha256(List.of(f)).get(f));
    }

    @Test
    void aFileWrittenJustNowIsNotRemembered() throws Exception {
        Path f = tmp.resolve("fresh.onnx");
        Files.write(f, new byte[] {1, 2, 3});
        ContentHashes cache = ContentHashes.at(tmp.resolve("hashes.tsv"));
        assertEquals(sha256(new byte[] {1, 2, 3}), cache.sha256(List.of(f)).get(f));
        // A write in the same clock tick would keep its time: not cached until it has settled.
        assertFalse(Files.exists(tmp.resolve("hashes.tsv")));
    }

    @Test
    void anUnreadableCacheIsIgnoredAndRewritten() throws Exception {
        Path f = tmp.resolve("m.bin");
        Files.write(f, new byte[] {9});
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Path file = tmp.resolve("hashes.tsv");
        Files.writeString(file, "garbage\nnot\tenough\n" + f.toAbsolutePath() + "\t1\t5\tnot-a-hash\n");
        assertEquals(sha256(new byte[] {9}), ContentHashes.at(file).sha256(List.of(f)).get(f));
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("\t" + sha256(new byte[] {9})), lines.toString());
    }
}
