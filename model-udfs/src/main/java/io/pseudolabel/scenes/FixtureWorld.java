package io.pseudolabel.scenes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic world of {@code world.json}, shared with the fixture-model generator: the classes and
 * their colours, how much darker parts and subparts are, and the grey range of backgrounds.
 */
public record FixtureWorld(
        List<ClassDef> classes,
        double partShade,
        double subpartShade,
        double minSaturation,
        int backgroundGreyMin,
        int backgroundGreyMax,
        int backgroundJitter) {

    public static final String RESOURCE = "/io/pseudolabel/scenes/world.json";

    /** A class: its name and body colour. Its id is its 1-based position in {@link #classes}. */
    public record ClassDef(String name, int r, int g, int b) {
        public ClassDef {
            for (int c : new int[] {r, g, b}) {
                if (c < 0 || c > 255) {
                    throw new IllegalArgumentException("class " + name + " colour out of 0..255: " + c);
                }
            }
        }
    }

    public FixtureWorld {
        classes = List.copyOf(classes);
        if (classes.isEmpty() || classes.size() > 254) {
            throw new IllegalArgumentException("a world needs 1..254 classes, got " + classes.size());
        }
        if (!(backgroundGreyMin >= 0 && backgroundGreyMin <= backgroundGreyMax && backgroundGreyMax <= 255)) {
            throw new IllegalArgumentException(
                    "background_grey must be [lo, hi] within 0..255: " + backgroundGreyMin + ", " + backgroundGreyMax);
        }
        if (backgroundJitter < 0) {
            throw new IllegalArgumentException("background_jitter must be >= 0: " + backgroundJitter);
        }
    }

    /** The world bundled in the jar. */
    public static FixtureWorld load() {
        try (InputStream in = FixtureWorld.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FixtureWorld parse(String json) {
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        List<ClassDef> classes = new ArrayList<>();
        for (JsonElement e : required(root, "classes").getAsJsonArray()) {
            JsonObject c = e.getAsJsonObject();
            JsonArray rgb = required(c, "rgb").getAsJsonArray();
            if (rgb.size() != 3) {
                throw new IllegalArgumentException("class rgb must have 3 values: " + c);
            }
            classes.add(new ClassDef(required(c, "name").getAsString(),
                    rgb.get(0).getAsInt(), rgb.get(1).getAsInt(), rgb.get(2).getAsInt()));
        }
        JsonArray grey = required(root, "background_grey").getAsJsonArray();
        return new FixtureWorld(classes,
                required(root, "part_shade").getAsDouble(),
                required(root, "subpart_shade").getAsDouble(),
                required(root, "min_saturation").getAsDouble(),
                grey.get(0).getAsInt(),
                grey.get(1).getAsInt(),
                required(root, "background_jitter").getAsInt());
    }

    public List<String> classNames() {
        return classes.stream().map(ClassDef::name).toList();
    }

    /** Class {@code id} (1-based). */
    public ClassDef classOf(int id) {
        return classes.get(id - 1);
    }

    /** The colour of class {@code id} times {@code shade}, rounded: how parts and subparts are drawn. */
    public int[] shaded(int id, double shade) {
        ClassDef c = classOf(id);
        return new int[] {shade(c.r(), shade), shade(c.g(), shade), shade(c.b(), shade)};
    }

    private static int shade(int channel, double shade) {
        return (int) Math.max(0, Math.min(255, Math.round(channel * shade)));
    }

    private static JsonElement required(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("world.json lacks \"" + key + "\"");
        }
        return e;
    }
}
