package io.pseudolabel.job.common;

/** A command line or configuration the user has to correct: exit code 2, with the usage. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
