package io.pseudolabel.job.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HadoopFilesTest {
    @TempDir
    java.nio.file.Path tmp;

    /** path -> "length mtime" of every file, as Hadoop's own recursive listFiles reports them. */
    static Map<String, String> viaListFiles(FileSystem fs, Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            out.put(st.getPath().toString(), st.getLen() + " " + st.getModificationTime());
        }
        return out;
    }

    @Test
    void localWalkFindsWhatListFilesFinds() throws IOException {
        Files.createDirectories(tmp.resolve("a/b/c"));
        Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(tmp.resolve("top.jpg"), "1");
        Files.writeString(tmp.resolve("a/x.png"), "22");
        Files.writeString(tmp.resolve("a/b/c/deep.jpg"), "333");
        Files.writeString(tmp.resolve("a/b/.hidden"), "4444");
        FileSystem fs = FileSystem.get(tmp.toUri(), new Configuration());
        Path root = new Path(tmp.toUri());

        Map<String, String> walked = new TreeMap<>();
        for (FileStatus st : HadoopFiles.listFilesRecursive(fs, root)) {
            walked.put(st.getPath().toString(), st.getLen() + " " + st.getModificationTime());
        }
        assertEquals(4, walked.size(), walked.toString());
        assertEquals(viaListFiles(fs, root), walked);
        // A file as the root lists itself, as listFiles does.
        Path file = new Path(tmp.resolve("top.jpg").toUri());
        assertEquals(viaListFiles(fs, file).keySet().stream().toList(),
                HadoopFiles.listFilesRecursive(fs, file).stream().map(s -> s.getPath().toString()).toList());
    }
}
