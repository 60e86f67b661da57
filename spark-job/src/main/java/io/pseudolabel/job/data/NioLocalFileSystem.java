package io.pseudolabel.job.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Hadoop's local file system without a process per written file. Without Hadoop's native library (it is not
 * on our classpath, nor in Spark's distribution for most platforms) {@link RawLocalFileSystem} sets the
 * permission of every file and directory it creates by running {@code chmod}: a 300-image label run on
 * {@code local[2]} started 78 processes, about 10 ms each, on the same cores that label. This sets the same
 * permission bits through {@code java.nio}. Checksum files, umask and everything else are Hadoop's own.
 * Used for {@code file:} paths when {@link #KEY} names it: {@link #installAsDefault()} makes it so for the
 * whole JVM.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
    /** The Hadoop key that picks the implementation of {@code file:} paths. */
    public static final String KEY = "fs.file.impl";

    /** Hadoop's defaults, plus {@link #KEY} naming this class; on the classpath next to it. */
    static final String RESOURCE = "io/pseudolabel/job/data/nio-local-fs.xml";
    private static boolean installed;

    public NioLocalFileSystem() {
        super(new Raw());
    }

    /**
     * Makes this the {@code file:} file system of every Hadoop {@link Configuration} of this JVM, the ones
     * Spark makes included, unless the site configuration already names one. Call it before anything opens a
     * {@code file:} path: Hadoop caches one file system per scheme, and the first one made stays.
     */
    public static synchronized void installAsDefault() {
        if (!installed && new Configuration().get(KEY) == null) {
            Configuration.addDefaultResource(RESOURCE);
        }
        installed = true;
    }

    /** The unchecksummed layer underneath, where permissions are set. */
    static final class Raw extends RawLocalFileSystem {
        private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            // Hadoop's way where it forks no process (native chmod) or where java.nio cannot say the same thing.
            if (NativeIO.isAvailable() || !POSIX || permission.getStickyBit()) {
                super.setPermission(p, permission);
                return;
            }
            Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission.toShort()));
        }
    }

    /** The rwx bits of an octal mode such as 0644, as java.nio permissions. */
    static Set<PosixFilePermission> posix(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }
}
