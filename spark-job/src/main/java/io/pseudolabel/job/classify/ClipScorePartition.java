package io.pseudolabel.job.classify;

import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.job.executor.PreparePool;
import io.pseudolabel.job.executor.TaskGpus;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Future;

/**
 * Scores one partition: a small pool reads, decodes and preprocesses the next batch while one
 * {@code embedImages} call on the executor's cached CLIP embeds the current one; then the broadcast
 * classifier scores each image. A file that cannot be read or decoded becomes a failed
 * {@link ImageScores}; a model failure fails the task.
 */
public final class ClipScorePartition implements FlatMapFunction<Iterator<ImageRef>, ImageScores> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ClipScoreTask> task;
    private final Broadcast<SerializableConfiguration> hadoopConf;

    public ClipScorePartition(Broadcast<ClipScoreTask> task, Broadcast<SerializableConfiguration> hadoopConf) {
        this.task = task;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<ImageScores> call(Iterator<ImageRef> images) {
        ClipScoreTask t = task.value();
        Configuration conf = hadoopConf.value().value();
        RuntimeOptions runtime = t.clip().runtime().withGpuId(TaskGpus.assigned());
        try (ExecutorModels.Lease<ClipModel> lease = ExecutorModels.acquireClip(
                ModelLocalizer.localize(t.clip(), conf).clipPath(), t.fingerprint(), runtime)) {
            return scoreAll(images, t, conf, runtime, lease.get());
        }
    }

    /** Every image of the partition, kept whole: only C floats per image leave the task. */
    private static Iterator<ImageScores> scoreAll(Iterator<ImageRef> images, ClipScoreTask t, Configuration conf,
            RuntimeOptions runtime, ClipModel clip) {
        ImageDecoder decoder = new ImageDecoder(t.limits());
        // The executor's shared preparation threads, as the label stage uses them.
        try (PreparePool.Lane pool = PreparePool.taskLane(t.prepareThreads(), runtime)) {
            // Only C floats per image leave the task, so the partition's results are kept whole.
            List<ImageScores> out = new ArrayList<>();
            List<Future<Prepared>> next = submit(images, t, pool, clip, decoder, conf);
            while (!next.isEmpty()) {
                List<Prepared> batch = new ArrayList<>();
                for (Future<Prepared> f : next) {
                    batch.add(PreparePool.await(f));
                }
                // The pool decodes the next batch while CLIP embeds this one.
                next = submit(images, t, pool, clip, decoder, conf);
                out.addAll(score(batch, clip, t));
            }
            return out.iterator();
        }
    }

    /** An image's CLIP pixels, or why it has none. */
    private record Prepared(String imageId, float[] pixels, String error) {}

    private static List<Future<Prepared>> submit(Iterator<ImageRef> images, ClipScoreTask t, PreparePool.Lane pool,
            ClipModel clip, ImageDecoder decoder, Configuration conf) {
        List<Future<Prepared>> batch = new ArrayList<>();
        while (batch.size() < Math.max(1, t.batchSize()) && images.hasNext()) {
            ImageRef ref = images.next();
            batch.add(pool.submit(() -> prepare(ref, clip, decoder, conf, t.limits().maxFileBytes())));
        }
        return batch;
    }

    /** Never throws for one image: what goes wrong reading, decoding or preprocessing it is its error. */
    private static Prepared prepare(ImageRef ref, ClipModel clip, ImageDecoder decoder, Configuration conf,
            long maxFileBytes) {
        if (ref.refused() != null) {
            return new Prepared(ref.imageId(), null, ref.refused());
        }
        RgbImage image;
        try {
            image = decoder.decode(HadoopFiles.read(ref.uri(), maxFileBytes, conf), ref.uri());
        } catch (HadoopFiles.FileTooLargeException e) {
            return new Prepared(ref.imageId(), null, e.getMessage());
        } catch (IOException e) {
            return new Prepared(ref.imageId(), null, "cannot read " + ref.uri() + ": " + e.getMessage());
        } catch (ImageDecodeException e) {
            return new Prepared(ref.imageId(), null, e.getMessage());
        } catch (RuntimeException e) {
            return new Prepared(ref.imageId(), null, ref.uri() + ": cannot decode: " + e);
        }
        try {
            return new Prepared(ref.imageId(), clip.preprocess(image), null);
        } catch (RuntimeException e) {
            return new Prepared(ref.imageId(), null, ref.uri() + ": cannot prepare the " + image.width() + "x"
                    + image.height() + " image for CLIP: " + e);
        }
    }

    private static List<ImageScores> score(List<Prepared> batch, ClipModel clip, ClipScoreTask t) {
        List<float[]> pixels = new ArrayList<>();
        for (Prepared p : batch) {
            if (p.error() == null) {
                pixels.add(p.pixels());
            }
        }
        float[][] embeddings = clip.embedImages(pixels);
        List<ImageScores> out = new ArrayList<>(batch.size());
        int k = 0;
        for (Prepared p : batch) {
            out.add(p.error() != null ? ImageScores.failed(p.imageId(), p.error())
                    : ImageScores.ok(p.imageId(), t.classifier().probabilities(embeddings[k++])));
        }
        return out;
    }
}
