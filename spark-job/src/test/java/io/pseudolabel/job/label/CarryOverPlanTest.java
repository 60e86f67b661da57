package io.pseudolabel.job.label;

import io.pseudolabel.config.Supervision;
import io.pseudolabel.geom.Box;
import io.pseudolabel.job.TestSpark;
import io.pseudolabel.job.common.LabelTable;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.job.data.ImageRef;
import io.pseudolabel.job.run.Runs;
import io.pseudolabel.labeler.GivenBox;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incremental plan against a previous run of 10,000 images (recorded in three slices of
 * {@link CarryOver#INPUT_ROWS_PER_SLICE}): exactly the images whose uri, size, modification time, given boxes,
 * status, label fingerprint or refusal differ from what that run recorded are labelled again; the rest are
 * carried, and the carried rows read back are exactly theirs.
 */
class CarryOverPlanTest {
    static final int N = 10_000;
    static final String FINGERPRINT = "models-a";
    static final StructType PREVIOUS_ROWS = new StructType()
            .add(LabelTable.URI, DataTypes.StringType, false)
            .add(LabelTable.STATUS, DataTypes.StringType, false)
            .add(LabelTable.MODEL_FINGERPRINT, DataTypes.StringType, false);

    @TempDir
    Path tmp;

    static ImageRef image(int i, long size, long mtime, float x2) {
        String id = String.format("%012d", i);
        return new ImageRef(id, "file:/data/train2017/" + id + ".jpg", size, mtime, List.of("cat"),
                List.of(new GivenBox("cat", new Box(1, 2, x2, 40))));
    }

    @Test
    void labelsExactlyWhatChangedSinceThePreviousRunAndCarriesTheRest() throws Exception {
        SparkSession spark = TestSpark.session();
        String output = HadoopFiles.normalize(tmp.resolve("out").toString());
        List<ImageRef> before = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ImageRef ref = image(i, 1000 + i, 5000 + i, 30);
            before.add(ref);
            String status = i == 4 ? "FAILED" : "OK";
            rows.add(RowFactory.create(ref.uri(), status, i == 5 ? "models-old" : FINGERPRINT));
        }
        // an OK row the run's inputs do not record (a table edited by hand): labelled again, never also carried
        ImageRef unrecorded = image(N + 1, 5, 6, 30);
        rows.add(RowFactory.create(unrecorded.uri(), "OK", FINGERPRINT));
        Dataset<Row> recorded = CarryOver.inputs(spark, before, Supervision.BOXES);
        assertEquals(3, recorded.rdd().getNumPartitions(), "10,000 listed rows in tasks of at most 4,096");
        CarryOver.writeInputs(spark, before, Supervision.BOXES, output, "night1");
        spark.createDataFrame(rows, PREVIOUS_ROWS).write().mode(SaveMode.ErrorIfExists)
                .parquet(Runs.labelsDir(output, "night1"));

        List<ImageRef> now = new ArrayList<>(before);
        now.set(1, image(1, 999, 5001, 30)); // another size
        now.set(2, image(2, 1002, 9999, 30)); // touched
        now.set(3, image(3, 1003, 5003, 31)); // its given box edited
        now.set(6, image(6, -1, -1, 30)); // listed without a size (e.g. missing from the folder)
        now.set(7, now.get(7).refusedBecause("shares its id with another file")); // same bytes, now refused
        now.remove(9); // deleted
        now.add(image(N, 77, 88, 30)); // new
        now.add(unrecorded);
        Set<String> expected = new TreeSet<>();
        for (int i : new int[] {1, 2, 3, 4, 5, 6, 7, N, N + 1}) {
            expected.add(image(i, 0, 0, 30).uri());
        }
        CarryOver.Plan plan = CarryOver.plan(spark, output, "night1", now, FINGERPRINT, Supervision.BOXES);
        Set<String> relabelled = new TreeSet<>();
        plan.toLabel().forEach(r -> relabelled.add(r.uri()));
        assertEquals(expected, relabelled);
        assertEquals(N - 8, plan.carried(), "all but the 7 changed images and the deleted one");
        assertEquals(N + 1 - plan.carried(), plan.toLabel().size());
        expected.add(image(9, 0, 0, 30).uri());
        assertEquals(expected, new TreeSet<>(plan.dropped()), "the ones labelled tonight and the deleted one");
        assertEquals("night1", plan.from());
        assertFalse(plan.unchanged());

        Set<String> carried = new TreeSet<>(CarryOver.carriedRows(spark, output, plan, FINGERPRINT)
                .select(LabelTable.URI).as(Encoders.STRING()).collectAsList());
        assertEquals(N - 8, carried.size());
        for (ImageRef ref : now) {
            assertEquals(!relabelled.contains(ref.uri()), carried.contains(ref.uri()), ref.uri());
        }

        CarryOver.Plan same = CarryOver.plan(spark, output, "night1", before, FINGERPRINT, Supervision.BOXES);
        assertEquals(Set.of(before.get(4).uri(), before.get(5).uri()),
                Set.copyOf(same.toLabel().stream().map(ImageRef::uri).toList()), "the failed row, the old model's");
        assertFalse(same.unchanged());
    }

    @Test
    void aListingIdenticalToTheRecordedOneIsUnchangedAndAFirstRunLabelsEverything() throws Exception {
        SparkSession spark = TestSpark.session();
        String output = HadoopFiles.normalize(tmp.resolve("out").toString());
        List<ImageRef> refs = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            refs.add(image(i, 1000 + i, 5000 + i, 30));
            rows.add(RowFactory.create(refs.get(i).uri(), "OK", FINGERPRINT));
        }
        CarryOver.writeInputs(spark, refs, Supervision.BOXES, output, "night1");
        spark.createDataFrame(rows, PREVIOUS_ROWS).write().parquet(Runs.labelsDir(output, "night1"));

        CarryOver.Plan plan = CarryOver.plan(spark, output, "night1", refs, FINGERPRINT, Supervision.BOXES);
        assertTrue(plan.unchanged());
        assertEquals(50, plan.carried());
        assertTrue(plan.toLabel().isEmpty());
        assertTrue(plan.dropped().isEmpty());

        CarryOver.Plan fewer = CarryOver.plan(spark, output, "night1", refs.subList(0, 49), FINGERPRINT,
                Supervision.BOXES);
        assertFalse(fewer.unchanged(), "an image removed since the published run changes the table");
        assertEquals(49, fewer.carried());
        assertEquals(List.of(refs.get(49).uri()), fewer.dropped());

        CarryOver.Plan first = CarryOver.plan(spark, output, null, refs, FINGERPRINT, Supervision.BOXES);
        assertEquals(50, first.toLabel().size());
        assertEquals(0, first.carried());
    }
}
