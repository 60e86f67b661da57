package io.pseudolabel.config;

import com.typesafe.config.Config;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * {@code pseudolabel.models.cache-dir} and {@code cache-max-gb}: where executors keep local copies of model
 * directories read from S3 or HDFS, and how much of them.
 *
 * @param dir blank: {@code <java.io.tmpdir>/pseudolabel-models-<user.name>}
 * @param maxBytes copies beyond this are evicted, least recently used first
 */
public record ModelCache(String dir, long maxBytes) implements Serializable {

    public ModelCache {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("pseudolabel.models.cache-max-gb must not be negative");
        }
    }

    static ModelCache from(Config r) {
        return new ModelCache(r.getString("pseudolabel.models.cache-dir"),
                (long) (r.getDouble("pseudolabel.models.cache-max-gb") * 1e9));
    }

    /** The cache folder of this JVM's user. */
    public Path resolvedDir() {
        return dir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"),
                "pseudolabel-models-" + System.getProperty("user.name")) : Path.of(dir);
    }
}
