package io.pseudolabel.labeler;

/** An image-level label: class id (1..C), its name and how sure CLIP was (1 for given labels). */
public record ClassScore(int classId, String name, float score) {}
