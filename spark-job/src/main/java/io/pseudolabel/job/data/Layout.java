package io.pseudolabel.job.data;

import java.util.Locale;

/** How a dataset's images are laid out ({@code pseudolabel.job.layout}, {@code --layout}). */
public enum Layout {
    /** Every image file under a folder, recursively; the id is the path below it. */
    FOLDER("folder"),
    /** VOC2012: {@code JPEGImages/}, a split list in {@code ImageSets/Segmentation/}, {@code Annotations/}. */
    VOC("voc"),
    /** An image folder and a COCO instances JSON ({@code pseudolabel.job.annotations}). */
    COCO("coco");

    private final String key;

    Layout(String key) {
        this.key = key;
    }

    /** The value as {@code reference.conf} and the command line spell it. */
    public String key() {
        return key;
    }

    public static Layout parse(String s) {
        for (Layout l : values()) {
            if (l.key.equals(s.strip().toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("--layout (pseudolabel.job.layout) must be folder, voc or coco; got '" + s
                + "'");
    }
}
