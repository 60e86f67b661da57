package io.pseudolabel.job.label;

import io.pseudolabel.labeler.LabelStatus;
import org.apache.spark.util.AccumulatorV2;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the label tasks wrote, counted as they write it: rows per status, and the first few errors in uri
 * order. The driver used to read the run's table back for these, a Spark SQL query of several jobs after
 * every run. The rows are written by a result stage, where Spark merges each partition's update once, from
 * its one successful attempt, so the tally equals the table.
 */
public final class LabelTally extends AccumulatorV2<LabelTally.Written, LabelTally.Totals> {
    private static final long serialVersionUID = 1L;
    /** How many errors a run reports by name; the table has them all. */
    static final int FIRST_ERRORS = 5;

    /** One written row, as far as the tally cares. */
    public record Written(String uri, String status, String error) {}

    /**
     * Rows per status in status order, and the errors of the first failed rows by uri (at most
     * {@value #FIRST_ERRORS}).
     */
    public record Totals(Map<String, Long> counts, List<String> firstErrors) {}

    private TreeMap<String, Long> counts = new TreeMap<>();
    private TreeMap<String, String> errorsByUri = new TreeMap<>();

    @Override
    public boolean isZero() {
        return counts.isEmpty();
    }

    @Override
    public LabelTally copy() {
        LabelTally c = new LabelTally();
        c.counts = new TreeMap<>(counts);
        c.errorsByUri = new TreeMap<>(errorsByUri);
        return c;
    }

    @Override
    public void reset() {
        counts = new TreeMap<>();
        errorsByUri = new TreeMap<>();
    }

    @Override
    public void add(Written row) {
        counts.merge(row.status(), 1L, Long::sum);
        if (!LabelStatus.OK.name().equals(row.status())) {
            keepError(row.uri(), row.error());
        }
    }

    @Override
    public void merge(AccumulatorV2<Written, Totals> other) {
        LabelTally o = (LabelTally) other;
        o.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
        o.errorsByUri.forEach(this::keepError);
    }

    private void keepError(String uri, String error) {
        errorsByUri.put(uri, error == null ? "" : error);
        if (errorsByUri.size() > FIRST_ERRORS) {
            errorsByUri.pollLastEntry();
        }
    }

    @Override
    public Totals value() {
        return new Totals(Collections.unmodifiableMap(new TreeMap<>(counts)), List.copyOf(errorsByUri.values()));
    }
}
