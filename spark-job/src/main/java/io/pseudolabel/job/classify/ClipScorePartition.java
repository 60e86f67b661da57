package io.pseudolabel.job.classify;

import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.label.ExecutorModels;
import io.pseudolabel.job.label.LabelPartition;
import io.pseudolabel.job.label.ModelLocalizer;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Scores one partition: read, decode and preprocess a batch, one {@code embedImages} call on the
 * executor's cached CLIP, then the broadcast classifier per image. A file that cannot be read or decoded
 * becomes a failed {@link ImageScores}; a model failure fails the task.
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
        RuntimeOptions runtime = t.clip().runtime().withGpuId(LabelPartition.assignedGpu());
        ClipModel clip = ExecutorModels.clip(ModelLocalizer.localize(t.clip(), conf).clipPath(), t.fingerprint(),
                runtime);
        ImageDecoder decoder = new ImageDecoder(t.maxPixels());
        // Only C floats per image leave the task, so the partition's results are kept whole.
        List<ImageScores> out = new ArrayList<>();
        List<ImageRef> batch = new ArrayList<>();
        while (images.hasNext()) {
            batch.add(images.next());
            if (batch.size() == Math.max(1, t.batchSize()) || !images.hasNext()) {
                out.addAll(score(batch, clip, decoder, conf, t));
                batch.clear();
            }
        }
        return out.iterator();
    }

    private static List<ImageScores> score(List<ImageRef> batch, ClipModel clip, ImageDecoder decoder,
            Configuration conf, ClipScoreTask t) {
        ImageScores[] results = new ImageScores[batch.size()];
        List<float[]> pixels = new ArrayList<>();
        List<Integer> good = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            ImageRef ref = batch.get(i);
            try {
                pixels.add(clip.preprocess(decoder.decode(HadoopFiles.read(ref.uri(), conf), ref.uri())));
                good.add(i);
            } catch (IOException e) {
                results[i] = ImageScores.failed(ref.imageId(), "cannot read " + ref.uri() + ": " + e.getMessage());
            } catch (ImageDecodeException e) {
                results[i] = ImageScores.failed(ref.imageId(), e.getMessage());
            }
        }
        float[][] embeddings = clip.embedImages(pixels);
        for (int k = 0; k < good.size(); k++) {
            int i = good.get(k);
            results[i] = ImageScores.ok(batch.get(i).imageId(), t.classifier().probabilities(embeddings[k]));
        }
        return List.of(results);
    }
}
