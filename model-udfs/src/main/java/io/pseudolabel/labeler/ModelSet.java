package io.pseudolabel.labeler;

import io.pseudolabel.clip.ClipModel;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.dino.DinoModel;
import io.pseudolabel.onnx.RuntimeOptions;
import io.pseudolabel.sam.SamModel;

/**
 * The models one labeller needs for its supervision mode, loaded together and closed together. CLIP is
 * only loaded without supervision, Grounding-DINO unless boxes are given; SAM always.
 */
public final class ModelSet implements AutoCloseable {
    private final ClipModel clip;
    private final DinoModel dino;
    private final SamModel sam;

    private ModelSet(ClipModel clip, DinoModel dino, SamModel sam) {
        this.clip = clip;
        this.dino = dino;
        this.sam = sam;
    }

    public static ModelSet load(LabelerSettings settings, RuntimeOptions runtime) {
        return load(settings, runtime, GeometryOverrides.NONE);
    }

    /**
     * As {@link #load(LabelerSettings, RuntimeOptions)}, with the models' contract geometries passed through
     * {@code geometry} (tests).
     */
    public static ModelSet load(LabelerSettings settings, RuntimeOptions runtime, GeometryOverrides geometry) {
        ClipModel clip = null;
        DinoModel dino = null;
        try {
            if (settings.supervision() == Supervision.NONE) {
                clip = ClipModel.load(settings.clipPath(), runtime);
            }
            if (settings.supervision() != Supervision.BOXES) {
                dino = DinoModel.load(settings.dinoPath(), runtime, settings.dino(), geometry.dino());
            }
            SamModel sam = SamModel.load(settings.samPath(), runtime, settings.sam(), geometry.sam1(),
                    geometry.sam2());
            return new ModelSet(clip, dino, sam);
        } catch (RuntimeException e) {
            if (clip != null) {
                clip.close();
            }
            if (dino != null) {
                dino.close();
            }
            throw e;
        }
    }

    /** Null unless the supervision mode is {@code none}. */
    public ClipModel clip() {
        return clip;
    }

    /** Null when boxes are given. */
    public DinoModel dino() {
        return dino;
    }

    public SamModel sam() {
        return sam;
    }

    @Override
    public void close() {
        if (clip != null) {
            clip.close();
        }
        if (dino != null) {
            dino.close();
        }
        sam.close();
    }
}
