package io.pseudolabel.clip;

import java.io.Serializable;
import java.util.List;

/**
 * Unit-length text embeddings of a class list, computed once (on the driver) and broadcast: the
 * image side never needs the text model.
 *
 * @param modelFingerprint the CLIP model they were computed with; images must use the same one
 */
public record ClipTextEmbeddings(List<String> classNames, float[][] embeddings, String modelFingerprint)
        implements Serializable {

    public ClipTextEmbeddings {
        classNames = List.copyOf(classNames);
        if (classNames.size() != embeddings.length) {
            throw new IllegalArgumentException(classNames.size() + " class names but " + embeddings.length
                    + " embeddings");
        }
    }
}
