package io.pseudolabel.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.job.data.HadoopFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads the one configuration of a run on the driver: {@code --conf k=v} over {@code -D} system
 * properties over {@code --config FILE} over every {@code reference.conf} in the jars.
 */
public final class JobConfig {
    private static final Pattern SECRET = Pattern.compile(".*(secret|password|token|access\\.key|credential).*",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");

    private JobConfig() {}

    public static Config load(String configFile, List<String> confs) {
        Config overrides = ConfigFactory.empty();
        for (String kv : confs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.UsageException("--conf takes key=value, got '" + kv + "'");
            }
            String key = kv.substring(0, eq).trim();
            String value = kv.substring(eq + 1).trim();
            if (key.startsWith("spark.")) {
                // Spark settings go where spark-submit puts its --conf: system properties, read by SparkConf.
                System.setProperty(key, value);
                continue;
            }
            overrides = overrides.withValue(key, ConfigValueFactory.fromAnyRef(value));
        }
        Config file = ConfigFactory.empty();
        if (configFile != null) {
            file = parseConfigFile(configFile);
        }
        Config merged = overrides.withFallback(ConfigFactory.systemProperties()).withFallback(file)
                .withFallback(ConfigFactory.defaultReference()).resolve();
        checkKnownKeys(merged.getConfig("pseudolabel"), ConfigFactory.defaultReference().getConfig("pseudolabel"),
                "pseudolabel");
        return merged;
    }

    /**
     * A local HOCON file, or one on any Hadoop filesystem ({@code s3a://}, {@code hdfs://}), read with the
     * {@code spark.hadoop.*} settings of this JVM (spark-submit's {@code --conf}) before Spark starts.
     */
    static Config parseConfigFile(String configFile) {
        if (!configFile.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*") || configFile.startsWith("file:")) {
            Path p = configFile.startsWith("file:") ? Path.of(java.net.URI.create(configFile)) : Path.of(configFile);
            if (!Files.isRegularFile(p)) {
                throw new CommandLine.UsageException("config file not found: " + configFile);
            }
            return ConfigFactory.parseFile(p.toFile());
        }
        org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
        for (scala.Tuple2<String, String> kv : new org.apache.spark.SparkConf().getAllWithPrefix("spark.hadoop.")) {
            hadoop.set(kv._1(), kv._2());
        }
        try {
            if (!HadoopFiles.exists(configFile, hadoop)) {
                throw new CommandLine.UsageException("config file not found: " + configFile);
            }
            return ConfigFactory.parseString(HadoopFiles.readString(configFile, hadoop),
                    com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription(configFile));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read config file " + configFile + ": " + e.getMessage(), e);
        }
    }

    /** A key under pseudolabel that reference.conf does not define is a typo; say which. */
    static void checkKnownKeys(Config actual, Config reference, String prefix) {
        for (Map.Entry<String, ConfigValue> e : actual.entrySet()) {
            if (!reference.hasPathOrNull(e.getKey())) {
                throw new IllegalArgumentException("unknown configuration key " + prefix + "." + e.getKey()
                        + " (from " + e.getValue().origin().description() + ")");
            }
        }
    }

    /**
     * The pseudolabel section as HOCON, secrets shown as ***: values of secret-looking keys, and user info in
     * URIs ({@code s3a://KEY:SECRET@bucket}). Nothing outside the pseudolabel section (Spark and Hadoop
     * settings such as {@code spark.hadoop.fs.s3a.secret.key}) is printed at all.
     */
    public static String render(Config config) {
        Config c = config.getConfig("pseudolabel");
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            if (SECRET.matcher(e.getKey().toLowerCase(Locale.ROOT)).matches()) {
                c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef("***"));
            } else if (e.getValue().unwrapped() instanceof String v && USER_INFO.matcher(v).find()) {
                c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(USER_INFO.matcher(v).replaceAll("$1***@")));
            }
        }
        return "pseudolabel " + c.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
    }
}
