package io.pseudolabel.image;

/** An image file that could not be turned into an {@link RgbImage}; the message names the file. */
public final class ImageDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Kind {
        /** Zero bytes. */
        EMPTY,
        /** The bytes are not in any image format (text, archive, ...). */
        NOT_AN_IMAGE,
        /** An image format was recognised but its structure is broken. */
        CORRUPT,
        /** The file ends before the image does. */
        TRUNCATED,
        /** More pixels, a longer side or a larger file than the limits; refused before the pixels are decoded. */
        TOO_LARGE,
        /** An aspect ratio beyond the limit (e.g. 2x40000); refused before the pixels are decoded. */
        EXTREME_SHAPE,
        /** A recognised format or variant that no available reader decodes. */
        UNSUPPORTED
    }

    private final Kind kind;
    private final String fileName;

    public ImageDecodeException(Kind kind, String fileName, String detail) {
        this(kind, fileName, detail, null);
    }

    public ImageDecodeException(Kind kind, String fileName, String detail, Throwable cause) {
        super(fileName + ": " + detail, cause);
        this.kind = kind;
        this.fileName = fileName;
    }

    public Kind kind() {
        return kind;
    }

    public String fileName() {
        return fileName;
    }
}
