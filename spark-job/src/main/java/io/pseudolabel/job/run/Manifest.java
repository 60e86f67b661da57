package io.pseudolabel.job.run;

import com.google.gson.GsonBuilder;

import io.pseudolabel.job.label.ExecutorUse;

import java.util.List;
import java.util.Map;

/**
 * {@code _MANIFEST.json} of a run: what produced it and what it holds.
 *
 * @param config the effective configuration, secrets redacted
 * @param counts images by status
 * @param durationsMillis wall time of each phase
 * @param executors per executor: label tasks, GPU addresses its tasks got, model sets its JVM loaded
 */
public record Manifest(String runId, String command, String images, String output, String modelFingerprint,
        String config, long createdAtMillis, Map<String, Long> counts, long carriedOver, long labelled,
        Map<String, Long> durationsMillis, List<ExecutorUse> executors) {

    public String toJson() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(this);
    }
}
