package io.pseudolabel.image;

/**
 * A decoded 8-bit RGB image: {@code rgb} holds {@code width*height*3} bytes, row-major, interleaved
 * R,G,B (read them with {@code & 0xff}). Every decoder path ends here, whatever the file held.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "rgb holds " + rgb.length + " bytes, " + width + "x" + height + "x3 expected");
        }
    }

    /** Channel {@code c} (0=R,1=G,2=B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
