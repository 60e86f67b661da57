package io.pseudolabel.job.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the numbers were taken on: cores, CPU model, JVM, heap, load average at the start. */
record Machine(int cores, String cpu, String os, String jvm, long maxHeapMb, double load1, double load5,
        String ortThreads) {

    static Machine describe() {
        String cpu = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        double[] load = loadAverage();
        return new Machine(Runtime.getRuntime().availableProcessors(), cpu,
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), load[0], load[1],
                "per scenario (see each row); 0 = ONNX Runtime's default (one per core)");
    }

    static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return new double[] {l, Double.NaN};
        }
    }

    String text() {
        return String.format(Locale.ROOT, "machine: %d cores (%s), %s, %s, max heap %d MB, load average %.2f (1 min) "
                + "%.2f (5 min) at start", cores, cpu, os, jvm, maxHeapMb, load1, load5);
    }
}
