package io.pseudolabel.job.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityAgreementTest {

    /** Spearman's rho with midranks, straight from the definition. */
    private static double spearman(double[] x, double[] y) {
        double[] rx = ranks(x);
        double[] ry = ranks(y);
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += rx[i];
            my += ry[i];
        }
        mx /= x.length;
        my /= x.length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static double[] ranks(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int less = 0, same = 0;
            for (double w : v) {
                if (w < v[i]) {
                    less++;
                } else if (w == v[i]) {
                    same++;
                }
            }
            r[i] = less + (same + 1) / 2.0;
        }
        return r;
    }

    @Test
    void spearmanMatchesTheDefinitionOnValuesRoundedToBins() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 300;
        double[] q = new double[n], iou = new double[n];
        QualityAgreement a = new QualityAgreement();
        QualityAgreement b = new QualityAgreement();
        for (int i = 0; i < n; i++) {
            q[i] = Math.floor(rnd.nextDouble() * 100) / 100 + 0.005;
            iou[i] = Math.min(0.995, Math.max(0.005, Math.floor((q[i] * 0.7 + 0.3 * rnd.nextDouble()) * 100) / 100
                    + 0.005));
            (i % 2 == 0 ? a : b).add(q[i], iou[i]);
        }
        a.merge(b);
        assertEquals(n, a.images());
        assertEquals(spearman(q, iou), a.spearman(), 1e-9);
        assertTrue(a.spearman() > 0.5, "correlated by construction: " + a.spearman());
    }

    @Test
    void perfectAndReversedOrdersAndLeftOutNaNs() {
        QualityAgreement up = new QualityAgreement();
        QualityAgreement down = new QualityAgreement();
        for (int i = 0; i < 10; i++) {
            up.add(i / 10.0, i / 10.0 + 0.05);
            down.add(i / 10.0, 1 - i / 10.0);
        }
        up.add(Double.NaN, 0.3).add(0.4, Double.NaN);
        assertEquals(10, up.images());
        assertEquals(1.0, up.spearman(), 1e-12);
        assertEquals(-1.0, down.spearman(), 1e-12);
        assertTrue(Double.isNaN(new QualityAgreement().add(0.5, 0.5).spearman()));
    }

    @Test
    void reliabilityTableAveragesImageIouPerTenthOfQuality() {
        QualityAgreement a = new QualityAgreement();
        a.add(0.05, 0.2).add(0.07, 0.4).add(0.95, 0.9).add(1.0, 1.0).add(0.55, 0.6);
        List<QualityAgreement.Band> bands = a.reliability();
        assertEquals(3, bands.size());
        assertEquals(0.0, bands.get(0).from(), 1e-12);
        assertEquals(2, bands.get(0).images());
        assertEquals(0.3, bands.get(0).meanIou(), 1e-12);
        assertEquals(0.5, bands.get(1).from(), 1e-12);
        assertEquals(0.6, bands.get(1).meanIou(), 1e-12);
        assertEquals(0.9, bands.get(2).from(), 1e-12);
        assertEquals(2, bands.get(2).images());
        assertEquals(0.95, bands.get(2).meanIou(), 1e-12);
    }
}
