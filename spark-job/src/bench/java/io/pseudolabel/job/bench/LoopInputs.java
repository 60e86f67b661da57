package io.pseudolabel.job.bench;

import io.pseudolabel.job.data.DatasetLister;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.data.Layout;
import io.pseudolabel.labeler.ImageInput;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The images of a VOC split as the job lists them, for the in-process loops. */
final class LoopInputs {
    private LoopInputs() {}

    static List<ImageRef> refs(Path voc, String split, boolean withAnnotations) {
        return DatasetLister.list(Layout.VOC, voc.toString(), split, "", withAnnotations, false, new Configuration());
    }

    /** Reads the file the way a task does (Hadoop FS). */
    static ImageInput read(ImageRef ref, Configuration conf) {
        try {
            byte[] bytes = HadoopFiles.read(ref.uri(), conf);
            return new ImageInput(ref.imageId(), ref.uri(), bytes, ref.givenLabels(), ref.givenBoxes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
