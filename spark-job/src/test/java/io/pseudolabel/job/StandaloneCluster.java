package io.pseudolabel.job;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1 for tests and {@code bench}: one Master and N Workers, each its own JVM started
 * the way {@code sbin/start-*.sh} starts them ({@code java -cp $SPARK_HOME/jars/*}), each worker advertising
 * fake GPU addresses through {@code deploy/gpu-discovery.sh}. The "distribution" is a folder whose
 * {@code jars/} links to this module's runtime classpath (Spark, Hadoop and third-party jars); the
 * project's own classes are not in it and reach executors only as application jars
 * ({@link #applicationJars()}), as they would from {@code spark-submit}.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Path home;
    private final Path project;
    private final int masterPort;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    private final int workerCount;

    private StandaloneCluster(Path home, Path project, int masterPort, Process master, int workerCount) {
        this.home = home;
        this.project = project;
        this.masterPort = masterPort;
        this.master = master;
        this.workerCount = workerCount;
    }

    /**
     * Starts the master and the workers without waiting for them; {@link #awaitWorkers()} waits.
     *
     * @param dir scratch folder (distribution, logs, work dirs)
     * @param gpus one entry per worker: the addresses its discovery script prints, e.g. "0"
     */
    public static StandaloneCluster launch(Path dir, List<String> gpus, int workerMemoryMb) throws Exception {
        return launch(dir, gpus, workerMemoryMb, Path.of("..").toAbsolutePath().normalize()); // tests run in spark-job/
    }

    /**
     * @param gpus one entry per worker: the addresses its discovery script prints, e.g. "0"; "" = no GPU
     * @param project the checkout: its {@code deploy/}, {@code spark-job/target/classes} and
     *     {@code spark-job/target/runtime-classpath.txt} (written by the build) are used
     */
    public static StandaloneCluster launch(Path dir, List<String> gpus, int workerMemoryMb, Path project)
            throws Exception {
        Path home = sparkHome(dir.resolve("spark-home"), project);
        int port = freePort();
        Path masterLog = dir.resolve("master.log");
        Process master = launch(home, Map.of(), masterLog, "org.apache.spark.deploy.master.Master", "--host",
                "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        StandaloneCluster c = new StandaloneCluster(home, project, port, master, gpus.size());
        c.logs.add(masterLog);
        Runtime.getRuntime().addShutdownHook(new Thread(c::close, "standalone-cluster-cleanup"));
        try {
            Path discovery = project.resolve("deploy").resolve("gpu-discovery.sh");
            for (int i = 0; i < gpus.size(); i++) {
                Path props = dir.resolve("worker-" + i + ".properties");
                Files.writeString(props, gpus.get(i).isEmpty() ? "" : "spark.worker.resource.gpu.amount="
                        + gpus.get(i).split(",").length + "\nspark.worker.resource.gpu.discoveryScript=" + discovery
                        + "\n", StandardCharsets.UTF_8);
                Path work = Files.createDirectories(dir.resolve("worker-" + i));
                Path log = dir.resolve("worker-" + i + ".log");
                c.logs.add(log);
                c.workers.add(launch(home, Map.of("PSEUDOLABEL_FAKE_GPUS", gpus.get(i)), log,
                        "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--webui-port", "0",
                        "--cores", "1", "--memory", workerMemoryMb + "m", "--work-dir", work.toString(),
                        "--properties-file", props.toString(), c.masterUrl()));
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** Waits until every worker has registered with the master. */
    public void awaitWorkers() throws Exception {
        try {
            awaitLog(logs.get(0), "Registering worker", workerCount, 240);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** The distribution folder: {@code jars/} holds Spark, Hadoop and the third-party jars, as SPARK_HOME would. */
    public Path sparkHome() {
        return home;
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    public List<Process> workers() {
        return List.copyOf(workers);
    }

    /** The executor JVM of {@code executorId}, found among the workers' child processes. */
    public Optional<ProcessHandle> executorProcess(String executorId) {
        for (Process w : workers) {
            Optional<ProcessHandle> p = w.descendants().filter(h -> {
                List<String> args = List.of(h.info().arguments().orElse(new String[0]));
                int i = args.indexOf("--executor-id");
                return args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && i >= 0
                        && i + 1 < args.size() && args.get(i + 1).equals(executorId);
            }).findFirst();
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /**
     * spark-job's classes, and model-udfs' (a jar as it is, a classes folder packed into one): the first
     * model-udfs entry of this JVM's classpath, the one it loads (the launcher's classpath also lists the
     * installed jar behind the classes folder).
     */
    public List<String> applicationJars() throws IOException {
        List<String> jars = new ArrayList<>();
        jars.add(packJar(project.resolve("spark-job").resolve("target").resolve("classes"),
                home.resolve("pseudolabel-spark-job.jar")));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("model-udfs")) {
                Path p = Path.of(entry);
                jars.add(Files.isDirectory(p) ? packJar(p, home.resolve("pseudolabel-model-udfs.jar"))
                        : p.toUri().toString());
                break;
            }
        }
        if (jars.size() != 2) {
            throw new IllegalStateException("model-udfs not found on the classpath");
        }
        return jars;
    }

    /** Server logs so far, for a failure message. */
    public String logTail() {
        StringBuilder s = new StringBuilder();
        for (Path log : logs) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                s.append("== ").append(log.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> s.append(l).append('\n'));
            } catch (IOException e) {
                s.append("== ").append(log).append(": ").append(e).append('\n');
            }
        }
        return s.toString();
    }

    /** Kills executors, workers and the master (children first), waiting for each to be gone. */
    @Override
    public synchronized void close() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process w : workers) {
            w.descendants().forEach(all::add);
            all.add(w.toHandle());
        }
        master.descendants().forEach(all::add);
        all.add(master.toHandle());
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already gone, or still dying; nothing more to do from here
            }
        }
        // The distribution's links point into ~/.m2: remove them (not their targets) before the folder goes.
        try (Stream<Path> links = Files.list(home.resolve("jars"))) {
            for (Path l : links.toList()) {
                Files.deleteIfExists(l);
            }
        } catch (IOException e) {
            // best effort
        }
    }

    private void awaitLog(Path log, String text, int times, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log)) {
                String s = Files.readString(log, StandardCharsets.UTF_8);
                int n = 0;
                for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
                    n++;
                }
                if (n >= times) {
                    return;
                }
            }
            if (!master.isAlive()) {
                throw new IllegalStateException("the master exited\n" + logTail());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("timed out waiting for '" + text + "' x" + times + "\n" + logTail());
    }

    private static Process launch(Path home, Map<String, String> env, Path log, String mainClass, String... args)
            throws IOException {
        // these JVMs mostly wait; keep their GC and JIT threads quiet
        List<String> cmd = ChildJvm.command("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(home.resolve("jars") + File.separator + "*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().remove("SPARK_CONF_DIR");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** A distribution folder: jars/ links to the runtime classpath minus this project's own artifacts. */
    private static Path sparkHome(Path home, Path project) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Path cp = project.resolve("spark-job").resolve("target").resolve("runtime-classpath.txt");
        Set<String> entries = new LinkedHashSet<>(List.of(Files.readString(cp, StandardCharsets.UTF_8).strip()
                .split(File.pathSeparator)));
        for (String e : entries) {
            Path p = Path.of(e);
            if (!e.endsWith(".jar") || !Files.isRegularFile(p) || e.contains("model-udfs")
                    || e.contains("/io/pseudolabel/")) {
                continue;
            }
            Path link = jars.resolve(p.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, p.toAbsolutePath());
            }
        }
        return home;
    }

    private static String packJar(Path classes, Path jar) throws IOException {
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar.toUri().toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
