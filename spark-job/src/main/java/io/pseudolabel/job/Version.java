package io.pseudolabel.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Properties;

/**
 * {@code pseudolabel --version}: this build (version and git commit, embedded at build time by the
 * git-commit-id plugin as {@code io/pseudolabel/job/git.properties}) and the versions of Spark, DJL, ONNX
 * Runtime and libtorch read from the jars on the classpath, so the line says what actually runs.
 */
final class Version {
    private Version() {}

    static String describe() {
        Properties git = properties("/io/pseudolabel/job/git.properties");
        String version = git.getProperty("git.build.version", "unknown");
        String commit = git.getProperty("git.commit.id.abbrev", "unknown");
        boolean dirty = Boolean.parseBoolean(git.getProperty("git.dirty", "false"));
        String spark = properties("/META-INF/maven/org.apache.spark/spark-core_2.13/pom.properties")
                .getProperty("version", "not on the classpath");
        String djl = properties("/ai/djl/engine/api.properties").getProperty("djl_version", "not on the classpath");
        String ort = onnxRuntime();
        Properties torchEngine = properties("/pytorch-engine.properties");
        Properties torchNatives = properties("/native/lib/pytorch.properties");
        String libtorch = torchEngine.getProperty("pytorch_version", "not on the classpath")
                + (torchNatives.containsKey("version") ? " (natives in the jar: " + torchNatives.getProperty("version")
                        + " " + torchNatives.getProperty("flavor", "") + ")"
                        : " (natives from PYTORCH_LIBRARY_PATH or DJL's cache)");
        return String.format("pseudolabel %s (commit %s%s)%nSpark %s, DJL %s, ONNX Runtime %s, libtorch %s%n",
                version, commit, dirty ? ", with uncommitted changes" : "", spark, djl, ort, libtorch);
    }

    private static String onnxRuntime() {
        try {
            Class<?> c = Class.forName("ai.onnxruntime.OrtEnvironment", false, Version.class.getClassLoader());
            String v = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
            if (v != null) {
                return v;
            }
            // The cluster jar merges manifests: ask the native library itself.
            Object env = c.getMethod("getEnvironment").invoke(null);
            return String.valueOf(c.getMethod("getVersion").invoke(env));
        } catch (ClassNotFoundException e) {
            return "not on the classpath";
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException i ? i.getCause() : e;
            return "on the classpath (its native library did not load: " + cause + ")";
        }
    }

    private static Properties properties(String resource) {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        }
        return p;
    }
}
