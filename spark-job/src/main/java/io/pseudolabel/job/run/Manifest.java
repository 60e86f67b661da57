package io.pseudolabel.job.run;

import com.google.gson.GsonBuilder;
import io.pseudolabel.job.executor.ExecutorUse;

import java.util.List;
import java.util.Map;

/**
 * {@code _MANIFEST.json} of a run: what produced it, what it holds, and what became of it.
 *
 * @param labelerVersion the labelling code's version, part of {@code modelFingerprint}
 * @param config the effective configuration, secrets redacted
 * @param previousRun the published run this run planned from ({@code _LATEST} when it started), null for an
 *     output root's first run
 * @param outcome {@code published} (written just before {@code _LATEST} moves), {@code unchanged} (nothing to
 *     label: no table written, {@code _LATEST} stays on {@code previousRun}), or {@code not_published} (kept, but
 *     {@code _LATEST} did not move; {@code outcomeDetail} says why)
 * @param counts images by status
 * @param firstErrors the errors of the first failed images, by uri
 * @param failedFraction rows whose status is not OK, over all rows
 * @param maxFailedFraction the failure gate it was held to
 * @param durationsMillis wall time of each phase
 * @param executors per executor: label tasks, GPU addresses its tasks got, model sets its JVM loaded (empty
 *     when no image needed labelling)
 * @param lease the lease the run held on the output root
 * @param stats instances per class, mean quality, and relabelled / added / removed images against
 *     {@code previousRun} ({@link RunStats}); null for an unchanged run (no table written)
 */
public record Manifest(String runId, String command, String images, String output, String modelFingerprint,
        String labelerVersion, String config, long createdAtMillis, String previousRun, String outcome,
        String outcomeDetail, Map<String, Long> counts, List<String> firstErrors, double failedFraction,
        double maxFailedFraction, long carriedOver, long labelled, Map<String, Long> durationsMillis,
        List<ExecutorUse> executors, Lease.Record lease, RunStats stats) {

    public Manifest withOutcome(String outcome, String detail) {
        return new Manifest(runId, command, images, output, modelFingerprint, labelerVersion, config, createdAtMillis,
                previousRun, outcome, detail, counts, firstErrors, failedFraction, maxFailedFraction, carriedOver,
                labelled, durationsMillis, executors, lease, stats);
    }

    public String toJson() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(this);
    }
}
