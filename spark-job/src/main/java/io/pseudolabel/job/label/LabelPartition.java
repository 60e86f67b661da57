package io.pseudolabel.job.label;

import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.executor.ExecutorModels;
import io.pseudolabel.job.executor.ExecutorUse;
import io.pseudolabel.job.executor.ModelLocalizer;
import io.pseudolabel.job.executor.PreparePool;
import io.pseudolabel.job.executor.TaskGpus;
import io.pseudolabel.labeler.ImageInput;
import io.pseudolabel.labeler.LabelResult;
import io.pseudolabel.labeler.LabelStatus;
import io.pseudolabel.labeler.ModelSet;
import io.pseudolabel.labeler.Prepared;
import io.pseudolabel.labeler.PseudoLabeler;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Future;

/**
 * Labels one partition as a stream: a lane of {@code prepare-threads} on the executor's shared preparation
 * threads ({@link PreparePool}) reads, decodes and preprocesses images ahead of the models (with no threads,
 * the task's own thread does, a batch at a time), the models take what is prepared up to a batch at a time,
 * and rows leave as soon as their batch is done. A task holds at most {@code 2 x batchSize} prepared images
 * (the batch being labelled plus the ones prepared behind it), so memory is bounded whatever the partition
 * size.
 */
public final class LabelPartition implements FlatMapFunction<Iterator<ImageRef>, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LabelPartition.class);

    private final Broadcast<LabelTask> task;
    private final Broadcast<SerializableConfiguration> hadoopConf;
    private final LongAccumulator done;
    private final LongAccumulator failed;
    private final LabelTally tally;
    private final CollectionAccumulator<String> executors;

    /**
     * @param done and {@code failed}: images labelled and failed so far, for progress while tasks run
     * @param tally every row this task hands on to be written
     * @param executors receives one {@link ExecutorUse} report per task
     */
    public LabelPartition(Broadcast<LabelTask> task, Broadcast<SerializableConfiguration> hadoopConf,
            LongAccumulator done, LongAccumulator failed, LabelTally tally, CollectionAccumulator<String> executors) {
        this.task = task;
        this.hadoopConf = hadoopConf;
        this.done = done;
        this.failed = failed;
        this.tally = tally;
        this.executors = executors;
    }

    @Override
    public Iterator<Row> call(Iterator<ImageRef> images) {
        if (!images.hasNext()) {
            return Collections.emptyIterator(); // nothing to label: load no models, report no task
        }
        LabelTask t = task.value();
        RuntimeOptions runtime = t.settings().runtime().withGpuId(TaskGpus.assigned());
        Configuration conf = hadoopConf.value().value();
        ExecutorModels.Lease<ModelSet> lease = ExecutorModels.acquire(ModelLocalizer.localize(t.settings(), conf),
                t.modelsFingerprint(), runtime);
        TaskContext ctx = TaskContext.get();
        PreparePool.Lane pool;
        try {
            executors.add(ExecutorUse.report(t.modelsFingerprint(), runtime));
            pool = PreparePool.taskLane(t.prepareThreads(), runtime);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        if (ctx != null) {
            // The task's thread makes every model call and has left them when the task completes (done,
            // failed or killed): only then may the models be closed.
            ctx.addTaskCompletionListener((TaskCompletionListener) c -> {
                pool.close();
                lease.close();
            });
        }
        PseudoLabeler labeler = new PseudoLabeler(lease.get(), t.settings(), t.classNames(), t.classifier(),
                Selection.WHOLE_OVER_PART);
        return new RowStream(images, labeler, pool, lease, conf, t);
    }

    /** An image read and prepared on the pool, with the hash of its bytes. */
    private record Staged(ImageRef ref, String sha256, Prepared prepared) {}

    private final class RowStream implements Iterator<Row> {
        private final Iterator<ImageRef> images;
        private final PseudoLabeler labeler;
        private final PreparePool.Lane pool;
        private final ExecutorModels.Lease<ModelSet> lease;
        private final Configuration conf;
        private final LabelTask t;
        private final ArrayDeque<Future<Staged>> ahead = new ArrayDeque<>();
        private final ArrayDeque<Row> ready = new ArrayDeque<>();

        RowStream(Iterator<ImageRef> images, PseudoLabeler labeler, PreparePool.Lane pool,
                ExecutorModels.Lease<ModelSet> lease, Configuration conf, LabelTask t) {
            this.images = images;
            this.labeler = labeler;
            this.pool = pool;
            this.lease = lease;
            this.conf = conf;
            this.t = t;
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty()) {
                fill();
            }
            if (ready.isEmpty()) {
                pool.close();
                lease.close(); // no model call after the last row
                return false;
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        /** Submits images until {@code limit} are prepared or being prepared. */
        private void topUp(int limit) {
            while (ahead.size() < limit && images.hasNext()) {
                ImageRef ref = images.next();
                ahead.add(pool.submit(() -> stage(ref)));
            }
        }

        private void fill() {
            int batchSize = Math.max(1, t.batchSize());
            // Threads prepare the next batch while the models run this one; in the task's thread, one at a time.
            int lookAhead = pool.inline() ? batchSize : 2 * batchSize;
            topUp(lookAhead);
            if (ahead.isEmpty()) {
                return;
            }
            // The models start on what is prepared (at least one image) instead of waiting for a whole batch:
            // the first batch of a partition used to wait for batchSize images prepared one after another.
            List<Staged> batch = new ArrayList<>();
            batch.add(PreparePool.await(ahead.poll()));
            while (!ahead.isEmpty() && batch.size() < batchSize && ahead.peek().isDone()) {
                batch.add(PreparePool.await(ahead.poll()));
            }
            topUp(lookAhead - batch.size()); // prepare behind the models; at most lookAhead held
            List<Prepared> prepared = batch.stream().map(Staged::prepared).toList();
            List<LabelResult> results = labeler.label(prepared);
            for (int i = 0; i < batch.size(); i++) {
                LabelResult r = results.get(i);
                done.add(1);
                if (!r.ok()) {
                    failed.add(1);
                }
                tally.add(new LabelTally.Written(r.uri(), r.status().name(), r.error()));
                ready.add(LabelTable.toRow(r, batch.get(i).sha256(), t.fingerprint(), t.runId(), t.createdAtMillis()));
            }
        }

        private Staged stage(ImageRef ref) {
            ImageInput base = new ImageInput(ref.imageId(), ref.uri(), null, ref.givenLabels(), ref.givenBoxes());
            if (ref.refused() != null) {
                return new Staged(ref, null, Prepared.failed(LabelResult.failed(base, LabelStatus.BAD_ID,
                        ref.refused())));
            }
            byte[] bytes;
            try {
                bytes = readWithRetry(ref.uri(), t.settings().image().maxFileBytes(), conf, t.readRetry());
            } catch (HadoopFiles.FileTooLargeException e) {
                return new Staged(ref, null, Prepared.failed(LabelResult.failed(base, LabelStatus.BAD_IMAGE,
                        e.getMessage())));
            } catch (IOException e) {
                return new Staged(ref, null, Prepared.failed(LabelResult.failed(base, LabelStatus.READ_ERROR,
                        e.getMessage())));
            }
            ImageInput input = new ImageInput(ref.imageId(), ref.uri(), bytes, ref.givenLabels(), ref.givenBoxes());
            return new Staged(ref, sha256(bytes), labeler.prepare(input));
        }
    }

    /**
     * The file's bytes. An {@link IOException} from the file system (a throttled or dropped connection, a
     * store briefly unavailable) is retried {@code retry.retries()} times with a doubling wait; a file that is
     * not there or not readable ({@link FileNotFoundException}, {@link AccessDeniedException}) is not retried.
     * The exception thrown at the end names the file, the attempts and the last error.
     */
    static byte[] readWithRetry(String uri, long maxBytes, Configuration conf, ReadRetry retry) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return HadoopFiles.read(uri, maxBytes, conf);
            } catch (HadoopFiles.FileTooLargeException e) {
                throw e; // the file, not the store: retrying cannot help
            } catch (FileNotFoundException | AccessDeniedException e) {
                throw new IOException("cannot read " + uri + ": " + e.getMessage(), e);
            } catch (IOException e) {
                if (attempt > retry.retries()) {
                    throw new IOException("cannot read " + uri + " (" + attempt + " attempt" + (attempt > 1 ? "s" : "")
                            + "): " + e.getMessage(), e);
                }
                LOG.warn("reading {} failed (attempt {} of {}), retrying: {}", uri, attempt, retry.retries() + 1,
                        e.toString());
                try {
                    Thread.sleep(retry.waitMillis(attempt));
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while retrying " + uri);
                }
            }
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
