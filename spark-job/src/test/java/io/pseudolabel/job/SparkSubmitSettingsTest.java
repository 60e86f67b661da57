package io.pseudolabel.job;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark's own submit path ({@code org.apache.spark.deploy.SparkSubmit}, run from a Spark "distribution" folder
 * as {@code bin/spark-submit} runs it) against a real standalone master and worker on 127.0.0.1: a
 * {@code --conf spark.pseudolabel.*} before the jar reaches the label job (its {@code _MANIFEST.json} records
 * the effective configuration), the command's own {@code --conf} still wins, and an unknown
 * {@code spark.pseudolabel.*} key is refused naming the SparkConf.
 */
@Tag("cluster")
class SparkSubmitSettingsTest {
    @TempDir
    static Path tmp;
    static StandaloneCluster cluster;
    static Path voc;

    @BeforeAll
    static void start() throws Exception {
        voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 3L)).write(voc, 2, 0);
        cluster = StandaloneCluster.launch(tmp.resolve("cluster"), List.of(""), 1024);
        cluster.awaitWorkers();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    record Result(int code, String output) {}

    /** {@code spark-submit <sparkConfs> --class io.pseudolabel.job.Main <jar> <appArgs>} in client mode. */
    static Result submit(List<String> sparkConfs, List<String> appArgs) throws Exception {
        List<String> jars = cluster.applicationJars(); // spark-job's classes, model-udfs'
        List<String> cmd = ChildJvm.command("-Xmx1g", "-Dai.djl.offline=true", "-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(cluster.sparkHome().resolve("jars") + File.separator + "*");
        cmd.add("org.apache.spark.deploy.SparkSubmit");
        cmd.addAll(List.of("--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--class", "io.pseudolabel.job.Main", "--jars", jars.get(1),
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.executor.memory=512m", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true"));
        for (String c : sparkConfs) {
            cmd.add("--conf");
            cmd.add(c);
        }
        cmd.add(jars.get(0));
        cmd.addAll(appArgs);
        Path log = Files.createTempFile(tmp, "submit", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", cluster.sparkHome().toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().remove("SPARK_CONF_DIR");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("spark-submit did not end\n" + Files.readString(log) + cluster.logTail());
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static List<String> label(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("label", "--images", voc.toString(), "--layout", "voc",
                "--classes", voc.resolve("classes.txt").toString(), "--models", TestSpark.fixtureModels().toString(),
                "--output", out.toString(), "--conf", "pseudolabel.models.device=cpu"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void sparkConfSettingsReachTheJobAndTheCommandLineStillWins() throws Exception {
        Path out = tmp.resolve("labels");
        Result r = submit(List.of("spark.pseudolabel.job.batch-size=3", "spark.pseudolabel.job.read-retries=9",
                        "spark.pseudolabel.job.progress-interval=7s"),
                label(out, "--conf", "pseudolabel.job.progress-interval=11s"));
        assertEquals(0, r.code(), r.output() + cluster.logTail());
        assertTrue(!r.output().contains("Ignoring non-Spark config property"), r.output());
        String latest = Files.readString(out.resolve("_LATEST")).strip();
        Path manifest = out.resolve("runs").resolve(latest.substring(latest.lastIndexOf('/') + 1))
                .resolve("_MANIFEST.json");
        if (!Files.isRegularFile(manifest)) {
            manifest = Path.of(latest.startsWith("file:") ? URI.create(latest).getPath() : latest)
                    .resolve("_MANIFEST.json");
        }
        JsonObject m = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        String config = m.get("config").getAsString();
        assertTrue(config.matches("(?s).*batch-size\\s*[=:]\\s*\"?3\"?\\b.*"), config);
        assertTrue(config.matches("(?s).*read-retries\\s*[=:]\\s*\"?9\"?\\b.*"), config);
        assertTrue(config.matches("(?s).*progress-interval\\s*[=:]\\s*\"?11s\"?.*"),
                "the command's --conf over SparkConf: " + config);
        assertTrue(m.get("executors").getAsJsonArray().size() >= 1
                && !m.get("executors").toString().contains("\"driver\""), "labelled on the cluster's executor: "
                + m.get("executors"));
        assertEquals(2, m.get("labelled").getAsLong());
    }

    @Test
    void anUnknownSparkPseudolabelKeyIsRefusedNamingTheSparkConf() throws Exception {
        Result r = submit(List.of("spark.pseudolabel.job.batch-sise=3"), label(tmp.resolve("refused")));
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().contains("unknown configuration key pseudolabel.job.batch-sise")
                && r.output().contains("SparkConf spark.pseudolabel.job.batch-sise"), r.output());
        assertTrue(!Files.exists(tmp.resolve("refused")), "nothing written");
    }
}
