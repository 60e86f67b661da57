package io.pseudolabel.job.bench;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The rows of one bench run as a console table, markdown and JSON. */
final class BenchReport {
    private final Machine machine;
    private final List<BenchRow> rows;
    private final Instant finished;
    private final long seconds;
    private final Bench.Options options;
    private final double[] loadAtEnd = Machine.loadAverage();

    BenchReport(Machine machine, List<BenchRow> rows, Instant finished, long seconds, Bench.Options options) {
        this.machine = machine;
        this.rows = rows;
        this.finished = finished;
        this.seconds = seconds;
        this.options = options;
    }

    String table() {
        int wm = "metric".length(), wv = "value".length(), wb = "budget".length();
        for (BenchRow r : rows) {
            wm = Math.max(wm, r.scenario().length() + 2 + r.metric().length());
            wv = Math.max(wv, r.valueText().length());
            wb = Math.max(wb, r.budget().length());
        }
        StringBuilder s = new StringBuilder();
        String fmt = "%-" + wm + "s  %" + wv + "s  %-" + wb + "s  %s%n";
        s.append(String.format(Locale.ROOT, fmt, "metric", "value", "budget", "result"));
        s.append("-".repeat(wm + wv + wb + 12)).append('\n');
        for (BenchRow r : rows) {
            s.append(String.format(Locale.ROOT, fmt, r.scenario() + ": " + r.metric(), r.valueText(), r.budget(),
                    r.verdict().word()));
        }
        s.append(String.format(Locale.ROOT, "load average at end: %.2f (1 min); %d s in all%n", loadAtEnd[0], seconds));
        return s.toString();
    }

    String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("| scenario | metric | value | budget | result | how |\n");
        s.append("| --- | --- | ---: | --- | --- | --- |\n");
        for (BenchRow r : rows) {
            s.append("| ").append(r.scenario()).append(" | ").append(r.metric().strip()).append(" | ")
                    .append(r.valueText()).append(" | ").append(r.budget()).append(" | ")
                    .append(r.verdict().word()).append(" | ").append(r.note()).append(" |\n");
        }
        s.append('\n').append(machine.text()).append(String.format(Locale.ROOT,
                "; load average at end %.2f; finished %s; %d s in all.%n", loadAtEnd[0], finished, seconds));
        return s.toString();
    }

    String json() {
        StringBuilder s = new StringBuilder("{\n");
        s.append("  \"finished\": ").append(str(finished.toString())).append(",\n");
        s.append("  \"seconds\": ").append(seconds).append(",\n");
        s.append("  \"machine\": {\"cores\": ").append(machine.cores()).append(", \"cpu\": ").append(str(machine.cpu()))
                .append(", \"os\": ").append(str(machine.os())).append(", \"jvm\": ").append(str(machine.jvm()))
                .append(", \"max_heap_mb\": ").append(machine.maxHeapMb())
                .append(", \"load1_start\": ").append(num(machine.load1()))
                .append(", \"load5_start\": ").append(num(machine.load5()))
                .append(", \"load1_end\": ").append(num(loadAtEnd[0])).append("},\n");
        s.append("  \"options\": {\"images\": ").append(options.images()).append(", \"repeats\": ")
                .append(options.repeats()).append(", \"spark_repeats\": ").append(options.sparkRepeats())
                .append(", \"only\": ").append(str(String.join(",", options.only())))
                .append("},\n");
        s.append("  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            BenchRow r = rows.get(i);
            s.append("    {\"scenario\": ").append(str(r.scenario())).append(", \"metric\": ")
                    .append(str(r.metric().strip())).append(", \"value\": ").append(num(r.value()))
                    .append(", \"unit\": ").append(str(r.unit())).append(", \"budget\": ").append(str(r.budget()))
                    .append(", \"result\": ").append(str(r.verdict().name())).append(", \"note\": ")
                    .append(str(r.note())).append('}').append(i + 1 < rows.size() ? "," : "").append('\n');
        }
        s.append("  ]\n}\n");
        return s.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    static String str(String v) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
