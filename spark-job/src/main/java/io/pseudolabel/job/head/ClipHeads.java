package io.pseudolabel.job.head;

import io.pseudolabel.clip.head.ClipHead;
import io.pseudolabel.clip.head.ClipHeadFormat;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.labeler.ModelFingerprint;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** Reads a trained CLIP head (local, s3a, hdfs) for a run and refuses one that does not fit it. */
public final class ClipHeads {
    private ClipHeads() {}

    /**
     * The head at {@code uri}, checked against the run: trained for exactly {@code classes} (same order, as
     * class ids follow it) on the image embeddings of the CLIP model in {@code clipDir}.
     *
     * @param clipFingerprint {@link ModelFingerprint#ofClip} of {@code clipDir}, passed in because callers such
     *     as eval-classify already hold it (hashing real CLIP weights again costs seconds)
     */
    public static ClipHead load(String uri, List<String> classes, Path clipDir, String clipFingerprint,
            Configuration hadoop) throws IOException {
        if (!HadoopFiles.exists(uri, hadoop)) {
            throw new IllegalArgumentException("CLIP head not found: " + uri);
        }
        ClipHead head;
        try (InputStream in = HadoopFiles.fs(uri, hadoop).open(new org.apache.hadoop.fs.Path(HadoopFiles.normalize(uri)))) {
            head = ClipHeadFormat.read(in, uri);
        }
        if (!head.classNames().equals(classes)) {
            throw new IllegalArgumentException("CLIP head " + uri + " was trained for the classes " + head.classNames()
                    + ", but this run uses " + classes + " (same names in the same order needed)");
        }
        if (!head.clipFingerprint().equals(clipFingerprint)) {
            throw new IllegalArgumentException("CLIP head " + uri + " belongs to the CLIP model with fingerprint "
                    + head.clipFingerprint() + ", but this run's CLIP " + clipDir + " has fingerprint "
                    + clipFingerprint + "; train a head with finetune-clip on this CLIP model");
        }
        return head;
    }
}
