package io.pseudolabel.job.run;

/**
 * A label run that did not move {@code _LATEST}, with the exit code the command ends with: {@link #FAILED_GATE}
 * when it labelled but too many images failed (its data and manifest are kept), {@link #OUTPUT_BUSY} when
 * another run holds the output root or published first.
 */
public class RunNotPublishedException extends RuntimeException {
    /** The run is complete and kept, but more images failed than {@code pseudolabel.job.max-failed-fraction}. */
    public static final int FAILED_GATE = 3;
    /** Another run holds the output root's lease, took it over, or published since this run planned. */
    public static final int OUTPUT_BUSY = 4;
    /** The run is complete and kept, but its mean quality fell more than {@code pseudolabel.job.max-quality-drop}. */
    public static final int QUALITY_GATE = 5;

    private final int exitCode;

    public RunNotPublishedException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
