package io.pseudolabel.job;

import io.pseudolabel.job.eval.EvalJob;
import io.pseudolabel.job.eval.EvalResult;
import io.pseudolabel.job.label.LabelJob;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.SceneGenerator;
import io.pseudolabel.scenes.VocSceneWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a Spark user sees of a run: each stage's job named in the Spark UI (read back from the jobs' properties
 * as Spark's UI reads them), {@code created_at} a Parquet TIMESTAMP(MICROS) (read from the footer), and the
 * README's Spark line reading the table {@code _LATEST} names.
 */
class SparkUiAndReadersTest {
    @TempDir
    Path tmp;

    @Test
    void stagesAreNamedTimestampsAreMicrosAndTheReadmeLineReadsLatest() throws Exception {
        Path voc = tmp.resolve("voc");
        new VocSceneWriter(new SceneGenerator(FixtureWorld.load(), 11L)).write(voc, 3, 0);
        SparkSession spark = TestSpark.session();
        List<String> descriptions = new CopyOnWriteArrayList<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
                descriptions.add(String.valueOf(d));
            }
        };
        spark.sparkContext().addSparkListener(listener);
        Path root = tmp.resolve("out");
        LabelJob.Summary s;
        EvalResult r;
        try {
            var config = TestSpark.config(Map.of("pseudolabel.job.layout", "voc", "pseudolabel.job.classes",
                    voc.resolve("classes.txt").toString()));
            s = LabelJob.run(spark, config, new LabelJob.Options(voc.toString(), root.toString(), "ui1", false),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            r = EvalJob.run(spark, EvalJob.Spec.of(s.labelsDir(), voc.toString(), TestSpark.limits())
                    .withSplit("train"));
        } finally {
            // listener events are delivered asynchronously: wait for the bus before reading them
            spark.sparkContext().listenerBus().waitUntilEmpty();
            spark.sparkContext().removeSparkListener(listener);
        }
        assertEquals(3, r.numImages());
        assertTrue(descriptions.contains("label: 3 images (run ui1, 0 carried over)"), descriptions.toString());
        assertTrue(descriptions.stream().anyMatch(d -> d.startsWith("eval: confusion matrices of ")),
                descriptions.toString());
        assertEquals(null, spark.sparkContext().getLocalProperty("spark.job.description"),
                "no description left behind for the next job");

        // created_at: INT64 with TIMESTAMP(MICROS, UTC), not INT96
        Path part;
        try (Stream<Path> files = Files.list(Path.of(URI.create(s.labelsDir())))) {
            part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(part.toUri()), new Configuration()))) {
            PrimitiveType createdAt = reader.getFooter().getFileMetaData().getSchema().getType("created_at")
                    .asPrimitiveType();
            assertEquals(PrimitiveType.PrimitiveTypeName.INT64, createdAt.getPrimitiveTypeName());
            assertEquals(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS),
                    createdAt.getLogicalTypeAnnotation());
        }

        // README, "Reading the output": the Spark line (Scala), in Java
        String readme = Files.readString(ExampleConfigsTest.project().resolve("README.md"));
        assertTrue(readme.contains("val latest = new org.apache.hadoop.fs.Path(s\"$root/_LATEST\")\n"
                + "spark.read.parquet(s\"$root/runs/${new String(latest.getFileSystem(spark.sparkContext"
                + ".hadoopConfiguration).open(latest).readAllBytes).trim}/labels\")"), "the README's Spark lines");
        String rootUri = root.toString();
        org.apache.hadoop.fs.Path latest = new org.apache.hadoop.fs.Path(rootUri + "/_LATEST");
        Dataset<Row> labels = spark.read().parquet(rootUri + "/runs/" + new String(latest.getFileSystem(
                spark.sparkContext().hadoopConfiguration()).open(latest).readAllBytes(), StandardCharsets.UTF_8).trim()
                + "/labels");
        assertEquals(3, labels.count());
        assertFalse(labels.filter("status = 'OK'").isEmpty());
        assertEquals("ui1", labels.select("run_id").distinct().first().getString(0));
    }
}
