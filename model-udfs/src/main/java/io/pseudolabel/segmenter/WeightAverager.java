package io.pseudolabel.segmenter;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Averages weight sets name by name. {@link Sum} is the mergeable partial result for Spark's
 * {@code treeAggregate}: {@code zero = new Sum()}, {@code seqOp = Sum::add}, {@code combOp = Sum::merge},
 * then {@link Sum#mean()} on the driver. Sums are float; the weights of one add may be any positive
 * number (e.g. the samples a worker saw), the plain {@link Sum#add(SegmenterWeights)} weighs 1.
 */
public final class WeightAverager {

    private WeightAverager() {
    }

    /** The element-wise mean of {@code sets} (all with the same layout). */
    public static SegmenterWeights average(List<SegmenterWeights> sets) {
        Sum s = new Sum();
        for (SegmenterWeights w : sets) {
            s.add(w);
        }
        return s.mean();
    }

    /** A running weighted sum of weight sets. Mutable: add and merge update and return this. */
    public static final class Sum implements Serializable {
        private static final long serialVersionUID = 1L;

        private LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
        private LinkedHashMap<String, float[]> sums = new LinkedHashMap<>();
        private double totalWeight;
        private long count;

        /** Weight sets added so far (over all merged sums). */
        public long count() {
            return count;
        }

        public Sum add(SegmenterWeights w) {
            return add(w, 1.0);
        }

        public Sum add(SegmenterWeights w, double weight) {
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be positive and finite: " + weight);
            }
            if (count == 0) {
                for (Map.Entry<String, SegmenterWeights.Tensor> e : w.tensors().entrySet()) {
                    shapes.put(e.getKey(), e.getValue().shape().clone());
                    sums.put(e.getKey(), new float[e.getValue().data().length]);
                }
            } else {
                checkLayout(w.tensors().keySet().stream().toList(), name -> w.get(name).shape());
            }
            float f = (float) weight;
            for (Map.Entry<String, SegmenterWeights.Tensor> e : w.tensors().entrySet()) {
                float[] acc = sums.get(e.getKey());
                float[] d = e.getValue().data();
                if (f == 1f) {
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += d[i];
                    }
                } else {
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += f * d[i];
                    }
                }
            }
            totalWeight += weight;
            count++;
            return this;
        }

        public Sum merge(Sum other) {
            if (other.count == 0) {
                return this;
            }
            if (count == 0) {
                shapes = new LinkedHashMap<>();
                sums = new LinkedHashMap<>();
                for (String name : other.sums.keySet()) {
                    shapes.put(name, other.shapes.get(name).clone());
                    sums.put(name, other.sums.get(name).clone());
                }
                totalWeight = other.totalWeight;
                count = other.count;
                return this;
            }
            checkLayout(List.copyOf(other.sums.keySet()), other.shapes::get);
            for (Map.Entry<String, float[]> e : sums.entrySet()) {
                float[] acc = e.getValue();
                float[] d = other.sums.get(e.getKey());
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += d[i];
                }
            }
            totalWeight += other.totalWeight;
            count += other.count;
            return this;
        }

        /** The weighted mean of everything added. */
        public SegmenterWeights mean() {
            if (count == 0) {
                throw new IllegalStateException("no weights were added");
            }
            float inv = (float) totalWeight;
            LinkedHashMap<String, SegmenterWeights.Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : sums.entrySet()) {
                float[] acc = e.getValue();
                float[] m = new float[acc.length];
                for (int i = 0; i < acc.length; i++) {
                    m[i] = acc[i] / inv;
                }
                out.put(e.getKey(), new SegmenterWeights.Tensor(shapes.get(e.getKey()).clone(), m));
            }
            return new SegmenterWeights(out);
        }

        private void checkLayout(List<String> names, Function<String, long[]> shapeOf) {
            if (!names.equals(List.copyOf(sums.keySet()))) {
                throw new IllegalArgumentException("weight sets differ in their tensor names");
            }
            for (String n : names) {
                if (!Arrays.equals(shapeOf.apply(n), shapes.get(n))) {
                    throw new IllegalArgumentException("tensor " + n + " has shape "
                            + Arrays.toString(shapeOf.apply(n)) + ", expected " + Arrays.toString(shapes.get(n)));
                }
            }
        }
    }
}
