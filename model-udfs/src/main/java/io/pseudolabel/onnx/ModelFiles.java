package io.pseudolabel.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds model files in a directory laid out like its public repository ({@code onnx/...} or the root). */
public final class ModelFiles {
    // Variant suffixes of the t.js convention; by default we want the fp32 file.
    private static final Pattern VARIANT = Pattern.compile(
            ".*_(fp16|quantized|int8|uint8|q4|q4f16|bnb4)\\.onnx$");

    private ModelFiles() {}

    public static Path requireDirectory(Path dir, String role) {
        if (!Files.isDirectory(dir)) {
            throw new ModelContractException(role + " model directory not found: " + dir);
        }
        return dir;
    }

    /** The first of {@code names} that exists under {@code dir/onnx} or {@code dir}, or null. */
    public static Path first(Path dir, String... names) {
        for (String name : names) {
            for (Path candidate : List.of(dir.resolve("onnx").resolve(name), dir.resolve(name))) {
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * The single fp32 {@code .onnx} file under {@code dir/onnx} or {@code dir} whose name contains
     * {@code role} (e.g. "encoder"), ignoring quantised and fp16 variants. {@code explicit}, when not
     * blank, names the file relative to {@code dir} and wins.
     */
    public static Path byRole(Path dir, String role, String explicit, String model) {
        return byRole(dir, role, null, explicit, model);
    }

    /**
     * As {@link #byRole(Path, String, String, String)}, skipping names that contain {@code notRole}: HF's
     * {@code prompt_encoder_mask_decoder.onnx} says "encoder" but is the decoder.
     */
    public static Path byRole(Path dir, String role, String notRole, String explicit, String model) {
        if (explicit != null && !explicit.isBlank()) {
            Path p = dir.resolve(explicit);
            if (!Files.isRegularFile(p)) {
                throw new ModelContractException(model + " " + role + " file configured as '" + explicit
                        + "' does not exist: " + p);
            }
            return p;
        }
        List<Path> found = new ArrayList<>();
        for (Path folder : List.of(dir.resolve("onnx"), dir)) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                files.filter(Files::isRegularFile)
                        .filter(p -> {
                            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                            return n.endsWith(".onnx") && n.contains(role) && !VARIANT.matcher(n).matches()
                                    && (notRole == null || !n.contains(notRole));
                        })
                        .sorted()
                        .forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder, e);
            }
            if (!found.isEmpty()) {
                break;
            }
        }
        if (found.isEmpty()) {
            throw new ModelContractException("no " + model + " " + role + " (*" + role + "*.onnx) in " + dir
                    + " or " + dir.resolve("onnx"));
        }
        if (found.size() > 1) {
            throw new ModelContractException("several " + model + " " + role + " files in " + dir + ": " + found
                    + "; name one in the config");
        }
        return found.get(0);
    }

    /** The {@code .onnx} files under {@code dir/onnx} and {@code dir}, relative to {@code dir}, for messages. */
    public static List<String> onnxFiles(Path dir) {
        List<String> out = new ArrayList<>();
        for (Path folder : List.of(dir.resolve("onnx"), dir)) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                files.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx"))
                        .map(p -> dir.relativize(p).toString()).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder, e);
            }
        }
        return out;
    }

    public static Path requireFile(Path dir, String name, String model) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new ModelContractException(model + " directory " + dir + " has no " + name);
        }
        return p;
    }
}
