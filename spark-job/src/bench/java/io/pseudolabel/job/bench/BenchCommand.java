package io.pseudolabel.job.bench;

import com.typesafe.config.Config;
import io.pseudolabel.job.CommonOptions;
import io.pseudolabel.job.JobCommand;
import io.pseudolabel.job.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/** {@code pseudolabel bench}: found by {@code Main} only where the benchmarks are on the classpath. */
@Command(name = "bench", synopsisHeading = "", customSynopsis = {
    "usage: pseudolabel bench [--images N] [--output DIR] [--only cpu,overlap,spark,memory,eval,train] [--repeats R]",
    "  [--spark-repeats R]"},
        description = {"benchmarks against their budgets; a table, bench.md and bench.json in DIR;",
            "--only scale (on request): a COCO train2017-shaped night and eval (--images N, 118287)",
            "--only s3 (on request): S3A listing and reading on s3proxy, defaults vs deploy/s3a.conf (--images N, 20000)"},
        footer = Main.COMMON_HELP)
public final class BenchCommand implements JobCommand {
    @Mixin CommonOptions common;

    @Option(names = "--images", paramLabel = "N", description = "images per scenario")
    String images;

    @Option(names = "--output", paramLabel = "DIR", description = "where bench.md and bench.json go")
    String output;

    @Option(names = "--only", paramLabel = "LIST", description = "scenarios, comma-separated")
    String only;

    @Option(names = "--repeats", paramLabel = "R", description = "repeats per scenario")
    String repeats;

    @Option(names = "--spark-repeats", paramLabel = "R", description = "repeats of the spark scenario")
    String sparkRepeats;

    @Option(names = "--models", paramLabel = "DIR", description = "the fixture models")
    String models;

    @Override
    public CommonOptions common() {
        return common;
    }

    @Override
    public int run(Config config, PrintStream out) throws Exception {
        return Bench.run(Bench.options(images, output, only, repeats, sparkRepeats, models), config, out);
    }
}
