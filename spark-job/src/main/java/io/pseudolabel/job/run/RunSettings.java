package io.pseudolabel.job.run;

import com.typesafe.config.Config;

import java.util.concurrent.TimeUnit;

/**
 * How a label run guards its output root: {@code pseudolabel.runs.lease-timeout} and {@code lease-heartbeat}
 * (one writer per root), and {@code pseudolabel.job.max-failed-fraction} (the failure gate before
 * {@code _LATEST} moves).
 *
 * @param leaseTimeoutMillis a lease with no heartbeat for this long may be taken over
 * @param leaseHeartbeatMillis how often the holder renews its lease
 * @param maxFailedFraction a run whose share of rows with a status other than OK is above this is kept but not
 *     published
 */
public record RunSettings(long leaseTimeoutMillis, long leaseHeartbeatMillis, double maxFailedFraction) {

    public static RunSettings from(Config root) {
        RunSettings s = new RunSettings(root.getDuration("pseudolabel.runs.lease-timeout", TimeUnit.MILLISECONDS),
                root.getDuration("pseudolabel.runs.lease-heartbeat", TimeUnit.MILLISECONDS),
                root.getDouble("pseudolabel.job.max-failed-fraction"));
        if (s.leaseHeartbeatMillis <= 0 || s.leaseTimeoutMillis < 2 * s.leaseHeartbeatMillis) {
            throw new IllegalArgumentException("pseudolabel.runs.lease-heartbeat must be > 0 and at most half of "
                    + "pseudolabel.runs.lease-timeout, got heartbeat " + s.leaseHeartbeatMillis + " ms, timeout "
                    + s.leaseTimeoutMillis + " ms");
        }
        if (!(s.maxFailedFraction >= 0 && s.maxFailedFraction <= 1)) {
            throw new IllegalArgumentException("pseudolabel.job.max-failed-fraction must be in [0, 1], got "
                    + s.maxFailedFraction);
        }
        return s;
    }
}
