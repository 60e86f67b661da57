package io.pseudolabel.job.common;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.pseudolabel.job.data.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Loads the one configuration of a run on the driver. Where a {@code pseudolabel.*} key can come from, the
 * first one that sets it wins:
 * <ol>
 *   <li>the command's own {@code --conf pseudolabel.k=v} (after the command name, repeatable);</li>
 *   <li>JVM system properties {@code -Dpseudolabel.k=v} (e.g. {@code spark.driver.extraJavaOptions});</li>
 *   <li>{@code spark.pseudolabel.k} in the SparkConf: {@code spark-defaults.conf}, spark-submit's
 *       {@code --conf spark.pseudolabel.k=v} before the jar, {@code --properties-file}, the Spark operator's
 *       {@code sparkConf:} (spark-submit keeps only {@code spark.*} properties; the prefix is dropped here);</li>
 *   <li>{@code --config FILE} (HOCON; local, {@code hdfs:} or {@code s3a:});</li>
 *   <li>{@code -Dconfig.file=FILE} (Typesafe Config's own property);</li>
 *   <li>every {@code reference.conf} in the jars (the defaults).</li>
 * </ol>
 * A key under {@code pseudolabel} that no {@code reference.conf} defines is refused wherever it came from, and
 * the message names where that was.
 */
public final class JobConfig {
    private static final Pattern SECRET = Pattern.compile(".*(secret|password|token|access\\.key|credential).*",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]+@");

    private JobConfig() {}

    /** The SparkConf prefix spark-submit keeps, mapped onto {@code pseudolabel.*}. */
    public static final String SPARK_PREFIX = "spark.pseudolabel.";

    public static Config load(String configFile, List<String> confs) {
        Config overrides = ConfigFactory.empty();
        for (String kv : confs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--conf takes key=value, got '" + kv + "'");
            }
            String key = kv.substring(0, eq).trim();
            String value = kv.substring(eq + 1).trim();
            if (key.startsWith("spark.")) {
                // Spark settings go where spark-submit puts its --conf: system properties, read by SparkConf.
                System.setProperty(key, value);
                continue;
            }
            overrides = overrides.withValue(key, ConfigValueFactory.fromAnyRef(value, "command line --conf " + key));
        }
        Config file = ConfigFactory.empty();
        if (configFile != null) {
            file = parseConfigFile(configFile);
        }
        Config typesafeFile = ConfigFactory.empty();
        String property = System.getProperty("config.file");
        if (property != null && !property.isBlank()) {
            typesafeFile = parseConfigFile(property);
        }
        Config merged = overrides.withFallback(systemProperties()).withFallback(sparkConf())
                .withFallback(file).withFallback(typesafeFile)
                .withFallback(ConfigFactory.defaultReference()).resolve();
        checkKnownKeys(merged.getConfig("pseudolabel"), ConfigFactory.defaultReference().getConfig("pseudolabel"),
                "pseudolabel");
        return merged;
    }

    /** This JVM's system properties as they are now (Typesafe's own {@code systemProperties()} is cached once). */
    static Config systemProperties() {
        Properties copy = new Properties();
        copy.putAll((Properties) System.getProperties().clone());
        return ConfigFactory.parseProperties(copy,
                ConfigParseOptions.defaults().setOriginDescription("system properties (-D)"));
    }

    /**
     * {@code spark.pseudolabel.k = v} of this JVM's SparkConf (the system properties spark-submit sets from
     * spark-defaults.conf, {@code --conf} and {@code --properties-file}) as {@code pseudolabel.k = v}.
     */
    static Config sparkConf() {
        Config c = ConfigFactory.empty();
        for (scala.Tuple2<String, String> kv : new SparkConf().getAllWithPrefix(SPARK_PREFIX)) {
            String key = "pseudolabel." + kv._1();
            c = c.withValue(key, ConfigValueFactory.fromAnyRef(kv._2(), "SparkConf " + SPARK_PREFIX + kv._1()
                    + " (spark-defaults.conf, spark-submit --conf or --properties-file)"));
        }
        return c;
    }

    /**
     * A local HOCON file, or one on any Hadoop filesystem ({@code s3a://}, {@code hdfs://}), read with the
     * {@code spark.hadoop.*} settings of this JVM (spark-submit's {@code --conf}) before Spark starts.
     */
    static Config parseConfigFile(String configFile) {
        if (!configFile.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*") || configFile.startsWith("file:")) {
            Path p = configFile.startsWith("file:") ? Path.of(URI.create(configFile)) : Path.of(configFile);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("config file not found: " + configFile);
            }
            return ConfigFactory.parseFile(p.toFile());
        }
        Configuration hadoop = new Configuration();
        for (scala.Tuple2<String, String> kv : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
            hadoop.set(kv._1(), kv._2());
        }
        try {
            if (!HadoopFiles.exists(configFile, hadoop)) {
                throw new UsageException("config file not found: " + configFile);
            }
            return ConfigFactory.parseString(HadoopFiles.readString(configFile, hadoop),
                    ConfigParseOptions.defaults().setOriginDescription(configFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + configFile + ": " + e.getMessage(), e);
        }
    }

    /** Keys that meant the same as another one and went, with what to set instead. */
    static final Map<String, String> REMOVED = Map.of("pseudolabel.clip.image-batch-size",
            "images per CLIP call are pseudolabel.job.batch-size, for label and eval-classify alike");

    /** A key under pseudolabel that reference.conf does not define is a typo; say which. */
    static void checkKnownKeys(Config actual, Config reference, String prefix) {
        for (Map.Entry<String, ConfigValue> e : actual.entrySet()) {
            String removed = REMOVED.get(prefix + "." + e.getKey());
            if (removed != null) {
                throw new IllegalArgumentException(prefix + "." + e.getKey() + " (from "
                        + e.getValue().origin().description() + ") was removed: " + removed);
            }
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
        // Rendered as the value of "pseudolabel", so the text parses back to the same nested keys (a root object
        // renders without its braces).
        return ConfigFactory.empty().withValue("pseudolabel", c.root()).root()
                .render(ConfigRenderOptions.concise().setFormatted(true).setJson(false)).strip();
    }
}
