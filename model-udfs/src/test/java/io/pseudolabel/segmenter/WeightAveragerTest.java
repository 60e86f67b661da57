package io.pseudolabel.segmenter;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WeightAveragerTest {

    static SegmenterWeights random(long seed) {
        Random r = new Random(seed);
        LinkedHashMap<String, SegmenterWeights.Tensor> m = new LinkedHashMap<>();
        for (String n : new String[] {"conv_weight", "bn_gamma", "bn_runningVar"}) {
            float[] d = new float[6];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
            }
            m.put(n, new SegmenterWeights.Tensor(new long[] {2, 3}, d));
        }
        return new SegmenterWeights(m);
    }

    @Test
    void meanOfTwoIsElementwise() {
        SegmenterWeights a = random(1);
        SegmenterWeights b = random(2);
        SegmenterWeights m = WeightAverager.average(List.of(a, b));
        for (String n : a.names()) {
            for (int i = 0; i < 6; i++) {
                assertEquals((a.get(n).data()[i] + b.get(n).data()[i]) / 2f, m.get(n).data()[i]);
            }
            assertArrayEquals(new long[] {2, 3}, m.get(n).shape());
        }
    }

    @Test
    void treeMergeEqualsSequentialAndSurvivesSerialisation() throws Exception {
        SegmenterWeights[] w = {random(1), random(2), random(3), random(4)};
        WeightAverager.Sum left = new WeightAverager.Sum().add(w[0]).add(w[1]);
        WeightAverager.Sum right = roundTrip(new WeightAverager.Sum().add(w[2]).add(w[3]));
        WeightAverager.Sum tree = roundTrip(new WeightAverager.Sum()).merge(left).merge(new WeightAverager.Sum())
                .merge(right);
        assertEquals(4, tree.count());
        SegmenterWeights seq = WeightAverager.average(List.of(w));
        SegmenterWeights treeMean = tree.mean();
        for (String n : seq.names()) {
            // Float sums in another order: equal up to rounding.
            assertArrayEquals(seq.get(n).data(), treeMean.get(n).data(), 1e-6f, n);
        }
        assertEquals(seq, SegmenterWeights.fromBytes(seq.toBytes()));
    }

    @Test
    void weightedMeanAndLayoutChecks() {
        SegmenterWeights a = random(1);
        SegmenterWeights b = random(2);
        SegmenterWeights m = new WeightAverager.Sum().add(a, 3).add(b, 1).mean();
        float x = a.get("bn_gamma").data()[4];
        float y = b.get("bn_gamma").data()[4];
        assertEquals((3 * x + y) / 4, m.get("bn_gamma").data()[4], 1e-6f);

        LinkedHashMap<String, SegmenterWeights.Tensor> other = new LinkedHashMap<>(a.tensors());
        other.put("conv_weight", new SegmenterWeights.Tensor(new long[] {3, 2}, new float[6]));
        assertThrows(IllegalArgumentException.class,
                () -> new WeightAverager.Sum().add(a).add(new SegmenterWeights(other)));
        assertThrows(IllegalStateException.class, () -> new WeightAverager.Sum().mean());
    }

    private static WeightAverager.Sum roundTrip(WeightAverager.Sum s) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bos)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
            return (WeightAverager.Sum) in.readObject();
        }
    }
}
