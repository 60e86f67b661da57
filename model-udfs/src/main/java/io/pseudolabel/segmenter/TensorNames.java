package io.pseudolabel.segmenter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The documented, PyTorch-style names of the segmenter's tensors, and their mapping from the names DJL
 * gives the parameters of {@link DeepLabV3Plus} (e.g. {@code 01backbone_02layer1_01ResidualUnit_01body_
 * 02SequentialBlock_01Conv2d_weight} is {@code backbone.layer1.0.conv2.weight}).
 *
 * <ul>
 *   <li>{@code backbone.*}: torchvision's ResNet names — {@code conv1.weight}, {@code bn1.*},
 *       {@code layer{1..4}.{i}.conv{1,2,3}.weight}, {@code layer….bn{1,2,3}.*},
 *       {@code layer….downsample.0.weight} (the 1x1 conv) and {@code downsample.1.*} (its BN);</li>
 *   <li>{@code aspp.b0.*} (1x1 branch), {@code aspp.b1.*}..{@code aspp.b3.*} (3x3 at rates 6/12/18), each
 *       {@code conv.weight} + {@code bn.*}; {@code aspp.pool.conv.{weight,bias}} (image pooling, no BN);
 *       {@code aspp.project.conv.weight} + {@code aspp.project.bn.*};</li>
 *   <li>{@code decoder.reduce.*} (1x1 on the stride-4 features), {@code decoder.fuse.0.*} and
 *       {@code decoder.fuse.1.*} (the two 3x3), each {@code conv.weight} + {@code bn.*};
 *       {@code decoder.classifier.{weight,bias}}.</li>
 * </ul>
 * BatchNorm tensors are {@code weight} (gamma), {@code bias} (beta), {@code running_mean} and
 * {@code running_var}, as in PyTorch; convolution weights are {@code [out, in, kh, kw]}.
 */
public final class TensorNames {

    private static final String BN = "(gamma|beta|runningMean|runningVar)";
    private static final Map<String, String> BN_NAMES = Map.of("gamma", "weight", "beta", "bias",
            "runningMean", "running_mean", "runningVar", "running_var");

    private record Rule(Pattern djl, Function<Matcher, String> documented) {
    }

    private static final List<Rule> RULES = List.of(
            rule("01backbone_01stem_01SequentialBlock_01Conv2d_weight", m -> "backbone.conv1.weight"),
            rule("01backbone_01stem_01SequentialBlock_02BatchNorm_" + BN, m -> "backbone.bn1." + bn(m, 1)),
            rule("01backbone_\\d+layer(\\d)_(\\d+)ResidualUnit_01body_(\\d+)SequentialBlock_01Conv2d_weight",
                    m -> unit(m) + ".conv" + Integer.parseInt(m.group(3)) + ".weight"),
            rule("01backbone_\\d+layer(\\d)_(\\d+)ResidualUnit_01body_(\\d+)SequentialBlock_02BatchNorm_" + BN,
                    m -> unit(m) + ".bn" + Integer.parseInt(m.group(3)) + "." + bn(m, 4)),
            rule("01backbone_\\d+layer(\\d)_(\\d+)ResidualUnit_02shortcut_01Conv2d_weight",
                    m -> unit(m) + ".downsample.0.weight"),
            rule("01backbone_\\d+layer(\\d)_(\\d+)ResidualUnit_02shortcut_02BatchNorm_" + BN,
                    m -> unit(m) + ".downsample.1." + bn(m, 3)),
            rule("02aspp_\\d+(b\\d|project)_01Conv2d_weight", m -> "aspp." + m.group(1) + ".conv.weight"),
            rule("02aspp_\\d+(b\\d|project)_02BatchNorm_" + BN, m -> "aspp." + m.group(1) + ".bn." + bn(m, 2)),
            rule("02aspp_\\d+pool_01Conv2d_(weight|bias)", m -> "aspp.pool.conv." + m.group(1)),
            rule("03decoder_01reduce_01Conv2d_weight", m -> "decoder.reduce.conv.weight"),
            rule("03decoder_01reduce_02BatchNorm_" + BN, m -> "decoder.reduce.bn." + bn(m, 1)),
            rule("03decoder_02fuse_(\\d+)SequentialBlock_01Conv2d_weight",
                    m -> "decoder.fuse." + (Integer.parseInt(m.group(1)) - 1) + ".conv.weight"),
            rule("03decoder_02fuse_(\\d+)SequentialBlock_02BatchNorm_" + BN,
                    m -> "decoder.fuse." + (Integer.parseInt(m.group(1)) - 1) + ".bn." + bn(m, 2)),
            rule("03decoder_03classifier_(weight|bias)", m -> "decoder.classifier." + m.group(1)));

    /** Prefix of the backbone's tensors; what follows it is torchvision's ResNet state-dict name. */
    public static final String BACKBONE = "backbone.";

    private TensorNames() {
    }

    private static Rule rule(String regex, Function<Matcher, String> documented) {
        return new Rule(Pattern.compile(regex), documented);
    }

    private static String unit(Matcher m) {
        return "backbone.layer" + m.group(1) + "." + (Integer.parseInt(m.group(2)) - 1);
    }

    private static String bn(Matcher m, int group) {
        return BN_NAMES.get(m.group(group));
    }

    /**
     * The documented name of a DJL parameter of {@link DeepLabV3Plus}.
     *
     * @throws IllegalArgumentException for a name no rule covers (a block whose naming changed)
     */
    public static String documented(String djlName) {
        for (Rule r : RULES) {
            Matcher m = r.djl.matcher(djlName);
            if (m.matches()) {
                return r.documented.apply(m);
            }
        }
        throw new IllegalArgumentException("DeepLabV3+ parameter " + djlName + " has no documented name");
    }

    /**
     * The documented names of every tensor of a model of {@code config}, in order (the block is built, not
     * initialised: no engine and no memory for weights needed).
     */
    public static List<String> of(SegmenterConfig config) {
        return List.copyOf(documented(new DeepLabV3Plus(config).getParameters().keys()).values());
    }

    /** DJL name to documented name for {@code djlNames} in their order; refuses two that map to one name. */
    static LinkedHashMap<String, String> documented(Iterable<String> djlNames) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        Map<String, String> back = new LinkedHashMap<>();
        for (String n : djlNames) {
            String d = documented(n);
            String clash = back.put(d, n);
            if (clash != null) {
                throw new IllegalStateException("parameters " + clash + " and " + n + " both map to " + d);
            }
            out.put(n, d);
        }
        return out;
    }

    /**
     * Weights or optimizer state saved before the names were documented (DJL names, optimizer state as
     * {@code m/<name>}, {@code v/<name>}, {@code step}), renamed to the documented names
     * ({@code m.<name>}, {@code v.<name>}, {@code step}).
     */
    public static SegmenterWeights fromDjlNames(SegmenterWeights legacy) {
        LinkedHashMap<String, SegmenterWeights.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, SegmenterWeights.Tensor> e : legacy.tensors().entrySet()) {
            String n = e.getKey();
            String renamed = n.equals("step") ? n
                    : n.startsWith("m/") || n.startsWith("v/") ? n.charAt(0) + "." + documented(n.substring(2))
                    : documented(n);
            out.put(renamed, e.getValue());
        }
        return new SegmenterWeights(out);
    }
}
