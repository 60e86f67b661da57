package io.pseudolabel.job.run;

import org.apache.hadoop.conf.Configuration;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A run in a JVM of its own that takes the lease of an output root, says {@code HELD <pid>} and then does
 * nothing until it is killed: what a label run that dies mid-night leaves behind.
 * Arguments: output root, run id, lease timeout ms, heartbeat ms.
 */
public final class LeaseHolderProcess {
    private LeaseHolderProcess() {}

    public static void main(String[] args) throws Exception {
        RunSettings settings = new RunSettings(Long.parseLong(args[2]), Long.parseLong(args[3]), 0.05, 7, 172_800_000L);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Lease lease = Lease.acquire(args[0], args[1], settings, new Configuration(), out);
        out.println("HELD " + ProcessHandle.current().pid() + " generation " + lease.record().generation());
        Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // killed long before
    }

    /** Starts one and waits until it holds the lease. */
    public static Process start(String output, String runId, long timeoutMillis, long heartbeatMillis)
            throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                LeaseHolderProcess.class.getName(), output, runId, Long.toString(timeoutMillis),
                Long.toString(heartbeatMillis))).redirectErrorStream(true).start();
        var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = lines.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.startsWith("HELD ")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (lines.readLine() != null) {
                            // keep the pipe empty so the child never blocks on its output
                        }
                    } catch (IOException e) {
                        // the child was killed: its output ends
                    }
                }, "lease-holder-output");
                drain.setDaemon(true);
                drain.start();
                return p;
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
        throw new IllegalStateException("the lease holder exited without taking the lease:\n" + seen);
    }
}
