package io.pseudolabel.job.data;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NioLocalFileSystemTest {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void octalModesBecomeTheSameNioPermissions() {
        assertEquals(PosixFilePermissions.fromString("rw-r--r--"), NioLocalFileSystem.posix(0644));
        assertEquals(PosixFilePermissions.fromString("rwxr-x---"), NioLocalFileSystem.posix(0750));
        assertEquals(PosixFilePermissions.fromString("-w---x--x"), NioLocalFileSystem.posix(0211));
        assertEquals(PosixFilePermissions.fromString("---------"), NioLocalFileSystem.posix(0));
        assertEquals(PosixFilePermissions.fromString("rwxrwxrwx"), NioLocalFileSystem.posix(0777));
    }

    @Test
    void writesWhatHadoopsLocalFileSystemWritesWithTheSamePermissionsAndNoProcess() throws Exception {
        for (String umask : List.of("022", "077")) {
            Configuration conf = new Configuration();
            conf.set("fs.permissions.umask-mode", umask);
            try (FileSystem stock = fresh(new LocalFileSystem(), conf);
                    FileSystem nio = fresh(new NioLocalFileSystem(), conf)) {
                long stockProcesses = processesStartedBy(() -> writeTree(stock, "stock-" + umask));
                long nioProcesses = processesStartedBy(() -> writeTree(nio, "nio-" + umask));
                // The control: without Hadoop's native library the stock file system forks chmod.
                assertTrue(stockProcesses >= 4, "stock local file system started " + stockProcesses);
                assertEquals(0, nioProcesses);
                for (String rel : List.of("a", "a/b", "a/b/part-0", "a/b/.part-0.crc", "a/c.json", "a/.c.json.crc")) {
                    java.nio.file.Path s = tmp.resolve("stock-" + umask).resolve(rel);
                    java.nio.file.Path n = tmp.resolve("nio-" + umask).resolve(rel);
                    assertEquals(Files.isDirectory(s), Files.isDirectory(n), rel);
                    if (Files.isRegularFile(s)) {
                        assertTrue(Arrays.equals(Files.readAllBytes(s), Files.readAllBytes(n)), rel);
                    }
                    assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(s)),
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(n)), umask + " " + rel);
                }
            }
        }
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("nio-077/a/b/part-0"))));
    }

    @Test
    void installedItIsTheFileSchemeOfNewConfigurations() throws IOException {
        NioLocalFileSystem.installAsDefault();
        assertEquals(NioLocalFileSystem.class.getName(), new Configuration().get(NioLocalFileSystem.KEY));
        try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), new Configuration())) {
            assertInstanceOf(NioLocalFileSystem.class, fs);
        }
    }

    private FileSystem fresh(FileSystem fs, Configuration conf) throws IOException {
        fs.initialize(URI.create("file:///"), conf);
        return fs;
    }

    private void writeTree(FileSystem fs, String root) throws IOException {
        Path base = new Path(tmp.resolve(root).toUri());
        fs.mkdirs(new Path(base, "a/b"));
        try (FSDataOutputStream out = fs.create(new Path(base, "a/b/part-0"))) {
            out.write(new byte[] {1, 2, 3});
        }
        try (FSDataOutputStream out = fs.create(new Path(base, "a/c.json"))) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Processes this JVM started while {@code action} ran, from JFR's process-start events. */
    private long processesStartedBy(IoAction action) throws IOException {
        java.nio.file.Path dump = Files.createTempFile(tmp, "processes", ".jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ProcessStart");
            r.start();
            action.run();
            r.stop();
            r.dump(dump);
        }
        return RecordingFile.readAllEvents(dump).stream().map(RecordedEvent::getEventType)
                .filter(t -> t.getName().equals("jdk.ProcessStart")).count();
    }
}
