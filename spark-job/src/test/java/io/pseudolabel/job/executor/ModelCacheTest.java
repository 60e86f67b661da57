package io.pseudolabel.job.executor;

import io.pseudolabel.config.ModelCache;
import io.pseudolabel.job.S3TestServer;
import io.pseudolabel.job.TestSpark;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executors' copies of model directories from S3 (s3proxy on loopback): a folder of this user with 0700,
 * verified before reuse, no leftovers of failed copies, and at most cache-max-gb of copies.
 */
class ModelCacheTest {
    static final String BUCKET = "cache-models";
    static S3TestServer s3;
    static Configuration conf;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start();
        s3.createBucket(BUCKET);
        for (String model : List.of("clip", "clip-confused", "sam")) {
            s3.upload(TestSpark.fixtureModels().resolve(model), BUCKET, "m/" + model);
        }
        conf = new Configuration(TestSpark.session().sparkContext().hadoopConfiguration());
        s3.applyTo(conf, BUCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @AfterEach
    void forget() {
        ModelLocalizer.forget();
    }

    static String uri(String model) {
        return "s3a://" + BUCKET + "/m/" + model;
    }

    static long bytes(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            long n = 0;
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                n += Files.size(f);
            }
            return n;
        }
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aPerUserFolderWithOwnerOnlyAccessAndVerifiedCopies() throws Exception {
        Path root = tmp.resolve("cache");
        ModelCache cache = new ModelCache(root.toString(), 1_000_000_000L);
        Path copy = Path.of(ModelLocalizer.local(uri("clip"), cache, conf));
        assertEquals(root, copy.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        Path model = copy.resolve("onnx/vision_model.onnx");
        byte[] original = Files.readAllBytes(TestSpark.fixtureModels().resolve("clip/onnx/vision_model.onnx"));
        assertArrayEquals(original, Files.readAllBytes(model));
        String manifest = Files.readString(copy.resolve(".complete"));
        assertTrue(manifest.contains(" " + original.length + " onnx/vision_model.onnx\n"), manifest);

        // A copy changed on disk (same size, one byte) is not reused: it is replaced by a fresh copy.
        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 1;
        Files.write(model, tampered);
        assertTrue(ModelLocalizer.verify(copy).startsWith("expected "), ModelLocalizer.verify(copy));
        ModelLocalizer.forget(); // as another JVM would come to it
        assertEquals(copy.toString(), ModelLocalizer.local(uri("clip"), cache, conf));
        assertArrayEquals(original, Files.readAllBytes(model));
        assertEquals(null, ModelLocalizer.verify(copy));

        // A folder others may write to is set back to owner-only.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        ModelLocalizer.forget();
        ModelLocalizer.local(uri("clip"), cache, conf);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    }

    /**
     * A model changed in the store after executors copied it (a new export uploaded under the same prefix) gets a
     * new copy, which the next load uses: the cache never serves the old file for the new model.
     */
    @Test
    void aModelChangedInTheStoreIsCopiedAgain() throws Exception {
        Path root = tmp.resolve("cache");
        ModelCache cache = new ModelCache(root.toString(), 1_000_000_000L);
        s3.upload(TestSpark.fixtureModels().resolve("clip"), BUCKET, "m/changing");
        Path first = Path.of(ModelLocalizer.local(uri("changing"), cache, conf));
        String text = "onnx/text_model.onnx";
        assertArrayEquals(Files.readAllBytes(TestSpark.fixtureModels().resolve("clip/" + text)),
                Files.readAllBytes(first.resolve(text)));

        // clip-confused's text tower, uploaded over clip's under the same key
        Path changed = Files.createDirectories(tmp.resolve("changed/onnx"));
        byte[] confused = Files.readAllBytes(TestSpark.fixtureModels().resolve("clip-confused/" + text));
        Files.write(changed.resolve("text_model.onnx"), confused);
        s3.upload(tmp.resolve("changed"), BUCKET, "m/changing");
        ModelLocalizer.forget(); // a later task, or another executor JVM
        Path second = Path.of(ModelLocalizer.local(uri("changing"), cache, conf));
        assertArrayEquals(confused, Files.readAllBytes(second.resolve(text)), "the changed file was copied again");
        assertArrayEquals(Files.readAllBytes(TestSpark.fixtureModels().resolve("clip/onnx/vision_model.onnx")),
                Files.readAllBytes(second.resolve("onnx/vision_model.onnx")));
        assertEquals(null, ModelLocalizer.verify(second));
    }

    @Test
    void aCacheFolderOfAnotherUserIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("theirs"));
        UserPrincipal nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        UserPrincipal me = Files.getOwner(root);
        assertNotEquals(me, nobody, "this test changes the owner to 'nobody'");
        Files.setOwner(root, nobody);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModelLocalizer.local(uri("clip"), new ModelCache(root.toString(), 1_000_000_000L), conf));
        assertEquals("model cache " + root + " belongs to nobody, not to " + me.getName() + ": refusing to load models "
                + "from it; set pseudolabel.models.cache-dir to a folder of your own", e.getMessage());
        assertEquals(List.of(), names(root));
    }

    @Test
    void leftoversOfDeadCopiesGoAndCopiesBeyondTheLimitAreEvictedLeastRecentlyUsedFirst() throws Exception {
        Path root = tmp.resolve("lru");
        // one fixture CLIP fits, two do not
        long one = Math.max(bytes(TestSpark.fixtureModels().resolve("clip")),
                bytes(TestSpark.fixtureModels().resolve("clip-confused")));
        ModelCache cache = new ModelCache(root.toString(), one + one / 2);
        Path clip = Path.of(ModelLocalizer.local(uri("clip"), cache, conf));

        // a copy killed half way (its JVM gone) and one still being made by a live JVM (this one)
        Path dead = Files.createDirectories(root.resolve("0123456789abcdef0123.tmp-2147483646-1"));
        Files.writeString(dead.resolve("half.onnx"), "x");
        Path live = Files.createDirectories(root.resolve("0123456789abcdef0123.tmp-" + ProcessHandle.current().pid()
                + "-2"));

        ModelLocalizer.forget(); // another JVM: clip is no longer in use here
        Path confused = Path.of(ModelLocalizer.local(uri("clip-confused"), cache, conf));
        assertFalse(Files.exists(dead), "the dead copy's folder is removed");
        assertTrue(Files.exists(live), "a copy in progress is left alone");
        assertFalse(Files.exists(clip), "the least recently used copy is evicted to stay under the limit");
        assertTrue(Files.exists(confused.resolve(".complete")));

        // copies this JVM uses are never evicted, even over the limit
        Path sam = Path.of(ModelLocalizer.local(uri("sam"), cache, conf));
        assertTrue(Files.exists(confused.resolve(".complete")) && Files.exists(sam.resolve(".complete")));
        assertEquals(3, names(root).size(), names(root).toString()); // confused, sam and the live temporary one
    }
}
