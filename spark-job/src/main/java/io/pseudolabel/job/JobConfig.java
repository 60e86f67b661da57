package io.pseudolabel.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

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

    private JobConfig() {}

    public static Config load(String configFile, List<String> confs) {
        Config overrides = ConfigFactory.empty();
        for (String kv : confs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.UsageException("--conf takes key=value, got '" + kv + "'");
            }
            String key = kv.substring(0, eq).trim();
            overrides = overrides.withValue(key, ConfigValueFactory.fromAnyRef(kv.substring(eq + 1).trim()));
        }
        Config file = ConfigFactory.empty();
        if (configFile != null) {
            Path p = Path.of(configFile);
            if (!Files.isRegularFile(p)) {
                throw new CommandLine.UsageException("config file not found: " + configFile);
            }
            file = ConfigFactory.parseFile(p.toFile());
        }
        Config merged = overrides.withFallback(ConfigFactory.systemProperties()).withFallback(file)
                .withFallback(ConfigFactory.defaultReference()).resolve();
        checkKnownKeys(merged.getConfig("pseudolabel"), ConfigFactory.defaultReference().getConfig("pseudolabel"),
                "pseudolabel");
        return merged;
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

    /** The pseudolabel section as HOCON, secrets shown as ***. */
    public static String render(Config config) {
        Config c = config.getConfig("pseudolabel");
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            if (SECRET.matcher(e.getKey().toLowerCase(Locale.ROOT)).matches()) {
                c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef("***"));
            }
        }
        return "pseudolabel " + c.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
    }
}
