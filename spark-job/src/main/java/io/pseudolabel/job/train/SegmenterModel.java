package io.pseudolabel.job.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.segmenter.CropMode;
import io.pseudolabel.segmenter.SegmenterConfig;
import io.pseudolabel.segmenter.SegmenterWeights;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained segmenter as {@code train} writes it: {@code model.safetensors} (documented tensor names) and
 * {@code segmenter.json} (architecture and training settings, class names). A model directory of the older
 * format ({@code weights.bin}) is still read.
 */
public record SegmenterModel(SegmenterConfig config, List<String> classNames, SegmenterWeights weights)
        implements Serializable {

    public static SegmenterModel read(String dir, Configuration conf) throws IOException {
        String json = HadoopFiles.child(dir, "segmenter.json");
        if (!HadoopFiles.exists(json, conf)) {
            throw new IllegalArgumentException("no segmenter model in " + dir + " (segmenter.json missing)");
        }
        JsonObject meta = JsonParser.parseString(HadoopFiles.readString(json, conf)).getAsJsonObject();
        JsonObject segmenter = meta.getAsJsonObject("segmenter");
        // Models written before crop modes existed were trained with random crops and flips.
        if (!segmenter.has("cropMode")) {
            segmenter.addProperty("cropMode", CropMode.RANDOM.key());
            segmenter.addProperty("flip", true);
        }
        SegmenterConfig config = new Gson().fromJson(segmenter, SegmenterConfig.class);
        List<String> classes = new ArrayList<>();
        meta.getAsJsonArray("classes").forEach(e -> classes.add(e.getAsString()));
        SegmenterWeights weights = WeightFiles.read(dir, WeightFiles.MODEL, WeightFiles.LEGACY_MODEL, conf);
        WeightFiles.checkNames(weights, config, HadoopFiles.child(dir, WeightFiles.MODEL));
        return new SegmenterModel(config, classes, weights);
    }
}
