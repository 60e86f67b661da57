package io.pseudolabel.job.executor;

import io.pseudolabel.onnx.RuntimeOptions;
import org.apache.spark.SparkEnv;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one executor did in a label run: the label tasks it ran, how many of them Spark gave a GPU address,
 * the addresses it gave, and how many times the executor JVM had loaded this run's model set
 * ({@link ExecutorModels#loads(String, RuntimeOptions)}: 1 when the one-model-set-per-executor rule holds).
 * Every label task reports one line through a collection accumulator; Spark merges the updates of successful tasks only, so a task
 * lost with its executor is not counted. The driver folds the lines into one record per executor for the
 * run's manifest.
 */
public record ExecutorUse(String executorId, String host, int tasks, int gpuTasks, List<String> gpus,
        int modelLoads) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String SEP = "\t";

    /** The report line of the running task, after it has its models. */
    public static String report(String fingerprint, RuntimeOptions runtime) {
        SparkEnv env = SparkEnv.get();
        String executor = env == null ? "?" : env.executorId();
        String host = env == null || env.blockManager() == null ? "?" : env.blockManager().blockManagerId().host();
        return String.join(SEP, executor, host, String.join(",", TaskGpus.addresses()),
                Integer.toString(ExecutorModels.loads(fingerprint, runtime)));
    }

    /** One record per executor, in order of executor id. */
    public static List<ExecutorUse> summarize(List<String> reports) {
        Map<String, Acc> by = new LinkedHashMap<>();
        for (String line : reports) {
            String[] f = line.split(SEP, -1);
            if (f.length != 4) {
                continue;
            }
            Acc a = by.computeIfAbsent(f[0], k -> new Acc(f[1]));
            a.tasks++;
            if (!f[2].isEmpty()) {
                a.gpuTasks++;
                a.gpus.addAll(List.of(f[2].split(",")));
            }
            a.loads = Math.max(a.loads, Integer.parseInt(f[3]));
        }
        List<ExecutorUse> out = new ArrayList<>();
        by.entrySet().stream().sorted(Map.Entry.comparingByKey(ExecutorUse::compareIds)).forEach(e -> out.add(
                new ExecutorUse(e.getKey(), e.getValue().host, e.getValue().tasks, e.getValue().gpuTasks,
                        List.copyOf(e.getValue().gpus), e.getValue().loads)));
        return out;
    }

    private static int compareIds(String a, String b) {
        if (a.matches("\\d+") && b.matches("\\d+")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    private static final class Acc {
        final String host;
        final TreeSet<String> gpus = new TreeSet<>();
        int tasks;
        int gpuTasks;
        int loads;

        Acc(String host) {
            this.host = host;
        }
    }
}
