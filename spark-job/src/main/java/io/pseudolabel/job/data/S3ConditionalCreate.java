package io.pseudolabel.job.data;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;

import java.io.IOException;

/**
 * Create-if-absent on S3 through S3A (Hadoop 3.4.2): {@code createFile(path).must(}{@value #OPTION}{@code ,
 * true)} sends the PUT with {@code If-None-Match: *}, and the store refuses it (412) when the object exists;
 * S3A checks this when the stream is closed and reports it as {@link RemoteFileChangedException}. AWS S3 has
 * honoured the header since 2024; an S3-compatible store must honour it too, or two writers can both win.
 */
final class S3ConditionalCreate {
    static final String OPTION = "fs.option.create.conditional.overwrite";

    private S3ConditionalCreate() {}

    /** True when this call created the object, false when it already existed. */
    static boolean create(FileSystem fs, Path target, byte[] data) throws IOException {
        try (FSDataOutputStream out = (FSDataOutputStream) fs.createFile(target).overwrite(false).must(OPTION, true)
                .build()) {
            out.write(data);
        } catch (FileAlreadyExistsException e) {
            return false; // S3A's own probe saw it before uploading
        } catch (RemoteFileChangedException e) {
            return false; // 412 Precondition Failed: the object exists (or another conditional PUT won)
        }
        return true;
    }
}
