package io.pseudolabel.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * EXIF orientation (tag 0x0112): reading it from a TIFF/EXIF block and undoing it the way Pillow's
 * {@code ImageOps.exif_transpose} does (2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise,
 * 7 transverse, 8 rotate 90 counter-clockwise; anything else leaves the image as it is).
 */
public final class Orientation {
    private Orientation() {
    }

    /**
     * The orientation in a TIFF-structured EXIF block (optionally preceded by {@code "Exif\0\0"}), or 1
     * when absent or unreadable. Never throws: a broken EXIF block must not lose the image.
     */
    public static int fromExif(byte[] data, int offset, int length) {
        try {
            int end = offset + length;
            if (length >= 6 && data[offset] == 'E' && data[offset + 1] == 'x' && data[offset + 2] == 'i'
                    && data[offset + 3] == 'f' && data[offset + 4] == 0 && data[offset + 5] == 0) {
                offset += 6;
            }
            if (end - offset < 8) {
                return 1;
            }
            ByteBuffer b = ByteBuffer.wrap(data, offset, end - offset).slice();
            if (data[offset] == 'I' && data[offset + 1] == 'I') {
                b.order(ByteOrder.LITTLE_ENDIAN);
            } else if (data[offset] == 'M' && data[offset + 1] == 'M') {
                b.order(ByteOrder.BIG_ENDIAN);
            } else {
                return 1;
            }
            if ((b.getShort(2) & 0xffff) != 42) {
                return 1;
            }
            long ifd = b.getInt(4) & 0xffffffffL;
            if (ifd + 2 > b.limit()) {
                return 1;
            }
            int n = b.getShort((int) ifd) & 0xffff;
            for (int i = 0; i < n; i++) {
                int e = (int) ifd + 2 + 12 * i;
                if (e + 12 > b.limit()) {
                    return 1;
                }
                if ((b.getShort(e) & 0xffff) == 0x0112) {
                    int type = b.getShort(e + 2) & 0xffff;
                    int v;
                    if (type == 3) { // SHORT
                        v = b.getShort(e + 8) & 0xffff;
                    } else if (type == 4 || type == 9) { // LONG / SLONG
                        v = b.getInt(e + 8);
                    } else {
                        return 1;
                    }
                    return v >= 1 && v <= 8 ? v : 1;
                }
            }
            return 1;
        } catch (RuntimeException e) {
            return 1;
        }
    }

    /** The image as Pillow's {@code exif_transpose} shows it for this orientation value. */
    public static RgbImage apply(RgbImage img, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] in = img.rgb();
        byte[] out = new byte[in.length];
        int o = 0;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2: sx = w - 1 - x; sy = y; break;              // FLIP_LEFT_RIGHT
                    case 3: sx = w - 1 - x; sy = h - 1 - y; break;      // ROTATE_180
                    case 4: sx = x; sy = h - 1 - y; break;              // FLIP_TOP_BOTTOM
                    case 5: sx = y; sy = x; break;                      // TRANSPOSE
                    case 6: sx = y; sy = h - 1 - x; break;              // ROTATE_270 (90 clockwise)
                    case 7: sx = w - 1 - y; sy = h - 1 - x; break;      // TRANSVERSE
                    default: sx = w - 1 - y; sy = x; break;             // 8: ROTATE_90 (counter-clockwise)
                }
                int p = (sy * w + sx) * 3;
                out[o++] = in[p];
                out[o++] = in[p + 1];
                out[o++] = in[p + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
