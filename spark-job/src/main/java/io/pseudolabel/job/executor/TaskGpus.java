package io.pseudolabel.job.executor;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import java.util.List;

/** The GPU addresses Spark assigned to the running task (spark.task.resource.gpu.amount), the one reader of them. */
public final class TaskGpus {
    private TaskGpus() {}

    /** The addresses as Spark gives them; empty when it assigned none or outside a task. */
    public static List<String> addresses() {
        TaskContext ctx = TaskContext.get();
        if (ctx == null) {
            return List.of();
        }
        ResourceInformation gpu = ctx.resources().get("gpu").getOrElse(() -> null);
        return gpu == null ? List.of() : List.of(gpu.addresses());
    }

    /** The device id of the first assigned GPU, or -1 when Spark assigned none. */
    public static int assigned() {
        List<String> addresses = addresses();
        if (addresses.isEmpty()) {
            return -1;
        }
        try {
            return Integer.parseInt(addresses.get(0).trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("GPU address '" + addresses.get(0) + "' from Spark is not a device id", e);
        }
    }
}
