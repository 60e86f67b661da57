package io.pseudolabel.labeler;

import io.pseudolabel.geom.Box;

import java.io.Serializable;

/** A box given with an image (VOC XML, COCO JSON, CSV), in original-image pixels. */
public record GivenBox(String name, Box box) implements Serializable {}
