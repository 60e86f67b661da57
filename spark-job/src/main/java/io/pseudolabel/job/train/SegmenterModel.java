package io.pseudolabel.job.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.pseudolabel.job.data.HadoopFiles;
import io.pseudolabel.segmenter.SegmenterConfig;
import io.pseudolabel.segmenter.SegmenterWeights;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A trained segmenter as {@code train} writes it: {@code weights.bin} and {@code segmenter.json}. */
public record SegmenterModel(SegmenterConfig config, List<String> classNames, SegmenterWeights weights)
        implements Serializable {

    public static SegmenterModel read(String dir, Configuration conf) throws IOException {
        String json = HadoopFiles.child(dir, "segmenter.json");
        if (!HadoopFiles.exists(json, conf)) {
            throw new IllegalArgumentException("no segmenter model in " + dir + " (segmenter.json missing)");
        }
        JsonObject meta = JsonParser.parseString(HadoopFiles.readString(json, conf)).getAsJsonObject();
        SegmenterConfig config = new Gson().fromJson(meta.get("segmenter"), SegmenterConfig.class);
        List<String> classes = new ArrayList<>();
        meta.getAsJsonArray("classes").forEach(e -> classes.add(e.getAsString()));
        SegmenterWeights weights = SegmenterWeights.fromBytes(HadoopFiles.read(HadoopFiles.child(dir, "weights.bin"), conf));
        return new SegmenterModel(config, classes, weights);
    }
}
