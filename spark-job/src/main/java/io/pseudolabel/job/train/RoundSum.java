package io.pseudolabel.job.train;

import io.pseudolabel.segmenter.SegmenterWeights;
import io.pseudolabel.segmenter.WeightAverager;

import java.io.Serializable;

/** What one round sums over its workers: weights, optimizer state, loss and samples; merged by treeAggregate. */
final class RoundSum implements Serializable {
    private static final long serialVersionUID = 1L;

    final WeightAverager.Sum weights = new WeightAverager.Sum();
    final WeightAverager.Sum optimizer = new WeightAverager.Sum();
    double lossSum;
    long workers;
    long samples;

    RoundSum add(SegmenterWeights w, SegmenterWeights opt, double loss, long seen) {
        weights.add(w);
        if (opt.size() > 0) {
            optimizer.add(opt);
        }
        lossSum += loss;
        workers++;
        samples += seen;
        return this;
    }

    RoundSum merge(RoundSum o) {
        weights.merge(o.weights);
        optimizer.merge(o.optimizer);
        lossSum += o.lossSum;
        workers += o.workers;
        samples += o.samples;
        return this;
    }
}
