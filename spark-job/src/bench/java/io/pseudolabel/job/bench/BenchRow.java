package io.pseudolabel.job.bench;

import java.util.Locale;

/**
 * One line of the benchmark table.
 *
 * @param scenario short id of the scenario ({@code cpu}, {@code overlap}, ...)
 * @param metric what was measured
 * @param value the number, NaN when not measured
 * @param unit unit of {@code value}
 * @param budget the budget as text ("<= 50 ms"), blank for an informational row
 * @param verdict PASS/MISS against the budget, INFO without one, NOT_MEASURED when nothing was run
 * @param note how it was measured, in a few words
 */
public record BenchRow(String scenario, String metric, double value, String unit, String budget, Verdict verdict,
        String note) {

    public enum Verdict {
        PASS, MISS, INFO, NOT_MEASURED;

        public String word() {
            return switch (this) {
                case PASS -> "PASS";
                case MISS -> "MISS";
                case INFO -> "-";
                case NOT_MEASURED -> "not measured yet";
            };
        }
    }

    public static BenchRow info(String scenario, String metric, double value, String unit, String note) {
        return new BenchRow(scenario, metric, value, unit, "", Verdict.INFO, note);
    }

    /** A row with an upper bound: PASS when {@code value <= max}. */
    public static BenchRow atMost(String scenario, String metric, double value, String unit, double max,
            String note) {
        return new BenchRow(scenario, metric, value, unit, "<= " + fmt(max) + " " + unit,
                value <= max ? Verdict.PASS : Verdict.MISS, note);
    }

    /** A row with a lower bound: PASS when {@code value >= min}. */
    public static BenchRow atLeast(String scenario, String metric, double value, String unit, double min,
            String note) {
        return new BenchRow(scenario, metric, value, unit, ">= " + fmt(min) + " " + unit,
                value >= min ? Verdict.PASS : Verdict.MISS, note);
    }

    public static BenchRow notMeasured(String scenario, String metric, String budget, String note) {
        return new BenchRow(scenario, metric, Double.NaN, "", budget, Verdict.NOT_MEASURED, note);
    }

    public String valueText() {
        if (Double.isNaN(value)) {
            return "-";
        }
        return (fmt(value) + " " + unit).trim();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a != 0 && a < 0.1) {
            return String.format(Locale.ROOT, "%.4f", v);
        }
        if (a < 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a < 1000) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
