package io.pseudolabel.job.run;

import com.typesafe.config.Config;
import io.pseudolabel.job.common.JobSettings;

import java.util.concurrent.TimeUnit;

/**
 * How a label run guards its output root: {@code pseudolabel.runs.lease-timeout} and {@code lease-heartbeat}
 * (one writer per root), and {@code pseudolabel.job.max-failed-fraction} (the failure gate before
 * {@code _LATEST} moves).
 *
 * @param leaseTimeoutMillis a lease with no heartbeat for this long may be taken over
 * @param leaseHeartbeatMillis how often the holder renews its lease
 * @param maxFailedFraction a run whose share of rows with a status other than OK is above this is kept but not
 *     published ({@link JobSettings#maxFailedFraction})
 * @param keep complete runs kept after publishing ({@code pseudolabel.runs.keep}; 0 keeps all)
 * @param incompleteGraceMillis incomplete runs older than this are deleted ({@code runs.incomplete-grace})
 */
public record RunSettings(long leaseTimeoutMillis, long leaseHeartbeatMillis, double maxFailedFraction, int keep,
        long incompleteGraceMillis) {

    public static RunSettings from(Config root) {
        Config r = root.getConfig("pseudolabel.runs");
        RunSettings s = new RunSettings(r.getDuration("lease-timeout", TimeUnit.MILLISECONDS),
                r.getDuration("lease-heartbeat", TimeUnit.MILLISECONDS), JobSettings.from(root).maxFailedFraction(),
                r.getInt("keep"), r.getDuration("incomplete-grace", TimeUnit.MILLISECONDS));
        if (s.leaseHeartbeatMillis <= 0 || s.leaseTimeoutMillis < 2 * s.leaseHeartbeatMillis) {
            throw new IllegalArgumentException("pseudolabel.runs.lease-heartbeat must be > 0 and at most half of "
                    + "pseudolabel.runs.lease-timeout, got heartbeat " + s.leaseHeartbeatMillis + " ms, timeout "
                    + s.leaseTimeoutMillis + " ms");
        }
        return s;
    }
}
