package io.pseudolabel.image;

import io.pseudolabel.image.ImageDecodeException.Kind;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A structural walk of the file container before any pixel is decoded: the format from its magic bytes,
 * truncation (ImageIO decodes a cut JPEG silently, filling gray), broken PNG chunks, and the metadata the
 * decoder needs (EXIF orientation, JPEG colour transform). Cheap: one pass over the bytes, no allocation
 * proportional to the pixel count.
 */
final class Container {

    enum Format { JPEG, PNG, WEBP, BMP, GIF, TIFF, OTHER }

    final Format format;
    /** EXIF orientation, 1 when there is none. */
    int orientation = 1;
    /** JPEG only: Adobe APP14 transform (0 none/RGB/CMYK, 1 YCbCr, 2 YCCK), -1 without an Adobe marker. */
    int adobeTransform = -1;
    boolean jfif;
    /** JPEG only: component ids from the frame header. */
    int[] componentIds = new int[0];

    private Container(Format format) {
        this.format = format;
    }

    static Container scan(byte[] b, String name) throws ImageDecodeException {
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            Container c = new Container(Format.JPEG);
            c.scanJpeg(b, name);
            return c;
        }
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
            Container c = new Container(Format.PNG);
            c.scanPng(b, name);
            return c;
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            Container c = new Container(Format.WEBP);
            c.scanWebp(b, name);
            return c;
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            Container c = new Container(Format.BMP);
            c.scanBmp(b, name);
            return c;
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return new Container(Format.GIF);
        }
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return new Container(Format.TIFF);
        }
        if (b.length >= 12 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p') {
            String brand = new String(b, 8, 4, StandardCharsets.US_ASCII);
            throw new ImageDecodeException(Kind.UNSUPPORTED, name,
                    "ISO-BMFF image (brand '" + brand + "', e.g. HEIC/AVIF) is not supported; convert it to JPEG or PNG");
        }
        return new Container(Format.OTHER);
    }

    private static int u16be(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static long u32be(byte[] b, int p) {
        return ((long) (b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    private static long u32le(byte[] b, int p) {
        return ((long) (b[p + 3] & 0xff) << 24) | ((b[p + 2] & 0xff) << 16) | ((b[p + 1] & 0xff) << 8) | (b[p] & 0xff);
    }

    private static boolean startsWith(byte[] b, int p, int end, String s) {
        if (p + s.length() > end) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[p + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Walks the JPEG markers to the EOI that follows the last scan; a missing EOI means truncation. */
    // byte-level parser, one pass over the format; exempt from the 60-line method check
    @SuppressWarnings("checkstyle:MethodLength")
    private void scanJpeg(byte[] b, String name) throws ImageDecodeException {
        int n = b.length;
        int p = 2;
        boolean exifSeen = false;
        boolean sawScan = false;
        while (true) {
            // find the next marker: 0xFF followed by a non-0xFF byte (libjpeg skips stray bytes too)
            while (p < n && (b[p] & 0xff) != 0xFF) {
                p++;
            }
            while (p < n && (b[p] & 0xff) == 0xFF) {
                p++;
            }
            if (p >= n) {
                throw new ImageDecodeException(Kind.TRUNCATED, name,
                        "truncated JPEG: the file ends before the end-of-image marker (" + n + " bytes)");
            }
            int m = b[p++] & 0xff;
            if (m == 0xD9) {
                if (!sawScan) {
                    throw new ImageDecodeException(Kind.CORRUPT, name, "corrupt JPEG: end-of-image marker before any image data");
                }
                return;
            }
            if (m == 0x01 || (m >= 0xD0 && m <= 0xD7) || m == 0x00) {
                continue;
            }
            if (p + 2 > n) {
                throw new ImageDecodeException(Kind.TRUNCATED, name, "truncated JPEG: the file ends inside a marker segment");
            }
            int len = u16be(b, p);
            if (len < 2) {
                throw new ImageDecodeException(Kind.CORRUPT, name, "corrupt JPEG: marker segment of length " + len);
            }
            if (p + len > n) {
                throw new ImageDecodeException(Kind.TRUNCATED, name, "truncated JPEG: the file ends inside a marker segment");
            }
            int d = p + 2;
            int end = p + len;
            if (m == 0xE1 && !exifSeen && startsWith(b, d, end, "Exif\0\0")) {
                exifSeen = true;
                orientation = Orientation.fromExif(b, d, end - d);
            } else if (m == 0xEE && startsWith(b, d, end, "Adobe") && end - d >= 12) {
                adobeTransform = b[d + 11] & 0xff;
            } else if (m == 0xE0 && startsWith(b, d, end, "JFIF\0")) {
                jfif = true;
            } else if (isSof(m) && end - d >= 6) {
                int nc = b[d + 5] & 0xff;
                int[] ids = new int[Math.min(nc, (end - d - 6) / 3)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = b[d + 6 + 3 * i] & 0xff;
                }
                componentIds = ids;
            }
            p = end;
            if (m == 0xDA) {
                sawScan = true;
                // entropy-coded data: 0xFF is followed by 0x00 (stuffing) or RSTn inside it
                while (true) {
                    while (p < n && (b[p] & 0xff) != 0xFF) {
                        p++;
                    }
                    if (p + 1 >= n) {
                        throw new ImageDecodeException(Kind.TRUNCATED, name,
                                "truncated JPEG: the image data is cut off (no end-of-image marker, " + n + " bytes)");
                    }
                    int next = b[p + 1] & 0xff;
                    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) {
                        p += next == 0xFF ? 1 : 2;
                        continue;
                    }
                    break; // a marker: handled by the outer loop
                }
            }
        }
    }

    private static boolean isSof(int m) {
        return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    }

    /** Walks the PNG chunks, checking each CRC, up to IEND; finds an eXIf chunk. */
    private void scanPng(byte[] b, String name) throws ImageDecodeException {
        int n = b.length;
        int p = 8;
        boolean first = true;
        CRC32 crc = new CRC32();
        while (true) {
            if (p + 8 > n) {
                throw new ImageDecodeException(Kind.TRUNCATED, name,
                        "truncated PNG: the file ends before the IEND chunk (" + n + " bytes)");
            }
            long len = u32be(b, p);
            if (p + 12 + len > n) {
                throw new ImageDecodeException(Kind.TRUNCATED, name,
                        "truncated PNG: chunk '" + new String(b, p + 4, 4, StandardCharsets.ISO_8859_1)
                                + "' needs " + len + " bytes, the file ends first");
            }
            int l = (int) len;
            String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
            if (first && !type.equals("IHDR")) {
                throw new ImageDecodeException(Kind.CORRUPT, name, "corrupt PNG: first chunk is '" + type + "', not IHDR");
            }
            first = false;
            crc.reset();
            crc.update(b, p + 4, 4 + l);
            if (crc.getValue() != u32be(b, p + 8 + l)) {
                throw new ImageDecodeException(Kind.CORRUPT, name, "corrupt PNG: CRC mismatch in chunk '" + type + "'");
            }
            if (type.equals("eXIf")) {
                orientation = Orientation.fromExif(b, p + 8, l);
            }
            p += 12 + l;
            if (type.equals("IEND")) {
                return;
            }
        }
    }

    private void scanWebp(byte[] b, String name) throws ImageDecodeException {
        long riff = u32le(b, 4);
        if (riff + 8 > b.length) {
            throw new ImageDecodeException(Kind.TRUNCATED, name,
                    "truncated WebP: RIFF says " + (riff + 8) + " bytes, the file has " + b.length);
        }
        int p = 12;
        int end = (int) (riff + 8);
        while (p + 8 <= end) {
            long len = u32le(b, p + 4);
            if (p + 8 + len > end) {
                throw new ImageDecodeException(Kind.TRUNCATED, name, "truncated WebP: a chunk runs past the end of the file");
            }
            if (startsWith(b, p, end, "EXIF")) {
                orientation = Orientation.fromExif(b, p + 8, (int) len);
            }
            p += 8 + (int) ((len + 1) & ~1L);
        }
    }

    private void scanBmp(byte[] b, String name) throws ImageDecodeException {
        if (b.length < 26) {
            throw new ImageDecodeException(Kind.TRUNCATED, name, "truncated BMP: " + b.length + " bytes, no full header");
        }
        long off = u32le(b, 10);
        long dib = u32le(b, 14);
        long w;
        long h;
        int bpp;
        long compression = 0;
        if (dib == 12) {
            w = ((b[19] & 0xff) << 8) | (b[18] & 0xff);
            h = ((b[21] & 0xff) << 8) | (b[20] & 0xff);
            bpp = ((b[25] & 0xff) << 8) | (b[24] & 0xff);
        } else {
            if (b.length < 34) {
                throw new ImageDecodeException(Kind.TRUNCATED, name, "truncated BMP: header cut off");
            }
            w = (int) u32le(b, 18);
            h = Math.abs((int) u32le(b, 22));
            bpp = ((b[29] & 0xff) << 8) | (b[28] & 0xff);
            compression = u32le(b, 30);
        }
        if (compression == 0 || compression == 3) {
            long stride = ((bpp * w + 31) / 32) * 4;
            if (w > 0 && h > 0 && off + stride * h > b.length) {
                throw new ImageDecodeException(Kind.TRUNCATED, name,
                        "truncated BMP: pixel data needs " + (off + stride * h) + " bytes, the file has " + b.length);
            }
        }
    }
}
