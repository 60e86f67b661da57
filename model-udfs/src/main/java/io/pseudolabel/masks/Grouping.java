package io.pseudolabel.masks;

import io.pseudolabel.geom.Box;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks one SAM candidate per detected box (README "What runs", "Grouping").
 *
 * <ol>
 *   <li>Every candidate is clipped to the box grown by {@code boxMargin} (and clipped to the image):
 *       SAM may only answer inside the box.</li>
 *   <li>Each clipped, non-empty candidate gets a ratio: the IoU of its own bounding box with the box.
 *       Empty candidates are out.</li>
 *   <li>{@link Selection#WHOLE_OVER_PART}: only candidates with ratio &ge; {@code minBoxIou} compete
 *       (so a near tie can never pull the choice under the bar); none left rejects the box. Let r* be
 *       the best ratio. The contenders are the candidates with {@code r* - r < nearTie}, plus those
 *       within 1e-6 of r* (exact ties). Among them the highest predicted IoU wins, then the larger area,
 *       then the lower index. With {@code nearTie = 0} predicted IoU is not used at all: exact ties go
 *       to the larger area, then the lower index.</li>
 *   <li>{@link Selection#HIGHEST_PREDICTED_IOU}, the baseline: the non-empty candidate with the highest
 *       predicted IoU (then larger area, lower index) is chosen, and the box is rejected when that
 *       choice's ratio is below {@code minBoxIou}. Steps 1 and the rejection bar are shared, so only the
 *       choice differs between the rules.</li>
 * </ol>
 */
public final class Grouping {

    /** Ratios this close count as equal whatever {@code nearTie} says; float IoUs are not exact. */
    static final double EXACT_TIE = 1e-6;

    private final GroupingConfig config;

    public Grouping(GroupingConfig config) {
        this.config = config;
    }

    public Grouping() {
        this(GroupingConfig.DEFAULTS);
    }

    public GroupingConfig config() {
        return config;
    }

    public Optional<GroupedMask> select(Box box, List<Candidate> candidates) {
        return select(box, candidates, Selection.WHOLE_OVER_PART);
    }

    public Optional<GroupedMask> select(Box box, List<Candidate> candidates, Selection selection) {
        List<Scored> nonEmpty = new ArrayList<>();
        for (Candidate c : candidates) {
            BitMask m = c.mask();
            BitMask clipped = m.clipTo(box.grow(config.boxMargin()).clip(m.width(), m.height()));
            Optional<Box> bounds = clipped.bounds();
            if (bounds.isPresent()) {
                nonEmpty.add(new Scored(c, clipped, bounds.get().iou(box), clipped.area()));
            }
        }
        Comparator<Scored> largerThenLowerIndex =
                Comparator.comparingInt(Scored::area).reversed().thenComparingInt(s -> s.candidate.index());
        Comparator<Scored> byPredictedIou = Comparator.comparingDouble((Scored s) -> -s.candidate.predictedIou())
                .thenComparing(largerThenLowerIndex);
        Scored winner;
        if (selection == Selection.HIGHEST_PREDICTED_IOU) {
            Optional<Scored> top = nonEmpty.stream().min(byPredictedIou);
            if (top.isEmpty() || top.get().ratio < config.minBoxIou()) {
                return Optional.empty();
            }
            winner = top.get();
        } else {
            List<Scored> eligible = nonEmpty.stream().filter(s -> s.ratio >= config.minBoxIou()).toList();
            if (eligible.isEmpty()) {
                return Optional.empty();
            }
            double best = eligible.stream().mapToDouble(Scored::ratio).max().orElseThrow();
            List<Scored> contenders = eligible.stream()
                    .filter(s -> best - s.ratio < config.nearTie() || best - s.ratio <= EXACT_TIE)
                    .toList();
            winner = contenders.stream()
                    .min(config.nearTie() > 0 ? byPredictedIou : largerThenLowerIndex)
                    .orElseThrow();
        }
        return Optional.of(new GroupedMask(winner.candidate.index(), winner.mask, (float) winner.ratio,
                winner.candidate.predictedIou(), winner.candidate.objectScoreLogit(),
                winner.candidate.stability()));
    }

    private record Scored(Candidate candidate, BitMask mask, double ratio, int area) {}
}
