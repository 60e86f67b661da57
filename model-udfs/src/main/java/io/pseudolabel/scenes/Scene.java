package io.pseudolabel.scenes;

import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.ClassMap;

import java.util.List;

/** A rendered synthetic scene: the image, its exact class map (ids 1..K, 0 background) and its objects. */
public record Scene(String id, RgbImage image, ClassMap truth, List<SceneObject> objects) {
    public Scene {
        objects = List.copyOf(objects);
    }
}
