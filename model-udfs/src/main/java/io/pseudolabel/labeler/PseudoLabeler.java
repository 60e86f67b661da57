package io.pseudolabel.labeler;

import io.pseudolabel.clip.ClipTextEmbeddings;
import io.pseudolabel.clip.ClipZeroShot;
import io.pseudolabel.clip.ImageClassifier;
import io.pseudolabel.clip.ZeroShotClassifier;
import io.pseudolabel.config.LabelerSettings;
import io.pseudolabel.config.Supervision;
import io.pseudolabel.dino.Detection;
import io.pseudolabel.geom.Box;
import io.pseudolabel.image.ImageDecodeException;
import io.pseudolabel.image.ImageDecoder;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.Candidate;
import io.pseudolabel.masks.ClassMap;
import io.pseudolabel.masks.GroupedMask;
import io.pseudolabel.masks.Grouping;
import io.pseudolabel.masks.GroupingConfig;
import io.pseudolabel.masks.InstanceMask;
import io.pseudolabel.masks.LabeledInstance;
import io.pseudolabel.masks.PalettePng;
import io.pseudolabel.masks.Selection;
import io.pseudolabel.masks.SemanticComposer;
import io.pseudolabel.sam.SamEmbedding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stage 1 for images: bytes (+ given labels or boxes) → image labels → boxes → SAM candidates → whole
 * over part grouping → instances and a semantic map. Split in two so callers can overlap them:
 * {@link #prepare} is CPU-only and thread-safe, {@link #label(List)} runs the models on a batch.
 */
public final class PseudoLabeler {
    private final ModelSet models;
    private final LabelerSettings settings;
    private final List<String> classNames;
    private final Map<String, Integer> classIds = new HashMap<>();
    private final ImageClassifier classifier;
    private final ImageDecoder decoder;
    private final Grouping grouping;
    private final Selection selection;

    /**
     * @param classNames class ids are 1..C in this order
     * @param classifier names the classes of an image from its CLIP embedding (zero-shot or a trained head)
     *     for exactly {@code classNames}; required without supervision
     */
    public PseudoLabeler(ModelSet models, LabelerSettings settings, List<String> classNames,
            ImageClassifier classifier, Selection selection) {
        this.models = models;
        this.settings = settings;
        this.classNames = List.copyOf(classNames);
        for (int i = 0; i < classNames.size(); i++) {
            classIds.put(key(classNames.get(i)), i + 1);
        }
        if (settings.supervision() == Supervision.NONE) {
            if (classifier == null || !classifier.classNames().equals(this.classNames)) {
                throw new IllegalArgumentException("the CLIP classifier must be built for exactly the class list "
                        + classNames + (classifier == null ? "" : ", not " + classifier.classNames()));
            }
        }
        this.classifier = classifier;
        this.decoder = new ImageDecoder(settings.image());
        this.grouping = new Grouping(settings.grouping());
        this.selection = selection;
    }

    /** Zero-shot CLIP with {@code text} computed for {@code classNames} ({@code null} with supervision). */
    public PseudoLabeler(ModelSet models, LabelerSettings settings, List<String> classNames, ClipTextEmbeddings text,
            Selection selection) {
        this(models, settings, classNames, zeroShot(text, settings), selection);
    }

    public PseudoLabeler(ModelSet models, LabelerSettings settings, List<String> classNames, ClipTextEmbeddings text) {
        this(models, settings, classNames, text, Selection.WHOLE_OVER_PART);
    }

    private static ImageClassifier zeroShot(ClipTextEmbeddings text, LabelerSettings settings) {
        return text == null ? null : new ZeroShotClassifier(text, settings.clip().logitScale());
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    public List<String> classNames() {
        return classNames;
    }

    /**
     * Decode and preprocess; a bad file, an image beyond the limits, or any exception while preparing it
     * becomes a failed {@link Prepared} naming the file and the reason, never an exception.
     */
    public Prepared prepare(ImageInput input) {
        RgbImage image;
        try {
            image = decoder.decode(input.bytes(), input.uri());
        } catch (ImageDecodeException e) {
            return Prepared.failed(LabelResult.failed(input, LabelStatus.BAD_IMAGE, e.getMessage()));
        } catch (RuntimeException e) {
            return Prepared.failed(LabelResult.failed(input, LabelStatus.BAD_IMAGE, input.uri() + ": cannot decode: "
                    + e));
        }
        String step = "CLIP";
        try {
            float[] clip = models.clip() != null ? models.clip().preprocess(image) : null;
            step = "Grounding-DINO";
            float[] dino = models.dino() != null ? models.dino().preprocess(image) : null;
            step = "SAM";
            float[] sam = models.sam().preprocess(image);
            return new Prepared(input, image, clip, dino, sam, null);
        } catch (RuntimeException e) {
            return Prepared.failed(LabelResult.failed(input, LabelStatus.BAD_IMAGE, input.uri()
                    + ": cannot prepare the " + image.width() + "x" + image.height() + " image for " + step + ": " + e));
        }
    }

    public LabelResult label(ImageInput input) {
        return label(List.of(prepare(input))).get(0);
    }

    /**
     * Labels a batch: CLIP sees all good images in one call and Grounding-DINO goes image by image; then the SAM
     * encoder takes the images that have boxes, {@code SamModel.encoderBatch()} per call (several where the export
     * has a batch axis, one where it is static), and each chunk's masks are decoded, grouped and composed before
     * the next chunk is encoded, so at most one chunk of embeddings is held. A failure costs only the images it
     * touches: its own image, or every image of a failed encoder call.
     */
    public List<LabelResult> label(List<Prepared> batch) {
        List<List<ClassScore>> labels = imageLabels(batch);
        int n = batch.size();
        LabelResult[] out = new LabelResult[n];
        List<List<ClassScore>> imageLabels = new ArrayList<>(n);
        List<List<Detection>> detections = new ArrayList<>(n);
        List<Integer> needSam = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Prepared p = batch.get(i);
            imageLabels.add(List.of());
            detections.add(List.of());
            if (p.isFailed()) {
                out[i] = p.failure();
                continue;
            }
            try {
                // Given labels are read per image, inside the try: one bad annotation costs only its own row.
                List<ClassScore> l = settings.supervision() == Supervision.NONE ? labels.get(i) : givenLabels(p.input());
                List<Detection> d = detect(p, l);
                imageLabels.set(i, l);
                detections.set(i, d);
                if (d.isEmpty()) {
                    out[i] = compose(p, l, List.of(), List.of());
                } else {
                    needSam.add(i);
                }
            } catch (BadAnnotation e) {
                out[i] = LabelResult.failed(p.input(), LabelStatus.BAD_ANNOTATION, e.getMessage());
            } catch (RuntimeException e) {
                out[i] = modelError(p, e);
            }
        }
        segmentInChunks(batch, needSam, imageLabels, detections, out);
        return new ArrayList<>(Arrays.asList(out));
    }

    /**
     * SAM on the images that have boxes, one encoder call per chunk; each chunk is decoded, grouped and composed
     * before the next is encoded. A failed call costs the images of that call only.
     */
    private void segmentInChunks(List<Prepared> batch, List<Integer> needSam, List<List<ClassScore>> imageLabels,
            List<List<Detection>> detections, LabelResult[] out) {
        int chunk = models.sam().encoderBatch();
        for (int start = 0; start < needSam.size(); start += chunk) {
            List<Integer> ids = needSam.subList(start, Math.min(needSam.size(), start + chunk));
            List<SamEmbedding> embeddings;
            try {
                List<float[]> inputs = new ArrayList<>(ids.size());
                int[][] sizes = new int[ids.size()][];
                for (int k = 0; k < ids.size(); k++) {
                    Prepared p = batch.get(ids.get(k));
                    inputs.add(p.samInput());
                    sizes[k] = new int[] {p.image().width(), p.image().height()};
                }
                embeddings = models.sam().embedAll(inputs, sizes);
            } catch (RuntimeException e) {
                // Recorded on each image's row of the failed call and counted by the job; the next chunk goes on.
                for (int i : ids) {
                    out[i] = modelError(batch.get(i), e);
                }
                continue;
            }
            for (int k = 0; k < ids.size(); k++) {
                int i = ids.get(k);
                Prepared p = batch.get(i);
                try {
                    out[i] = segment(p, imageLabels.get(i), detections.get(i), embeddings.get(k));
                } catch (RuntimeException e) {
                    out[i] = modelError(p, e);
                }
            }
        }
    }

    private static LabelResult modelError(Prepared p, RuntimeException e) {
        return LabelResult.failed(p.input(), LabelStatus.MODEL_ERROR,
                p.input().uri() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private List<List<ClassScore>> imageLabels(List<Prepared> batch) {
        List<List<ClassScore>> labels = new ArrayList<>();
        if (settings.supervision() != Supervision.NONE) {
            return labels; // given labels are read per image in label(List)
        }
        List<float[]> pixels = new ArrayList<>();
        for (Prepared p : batch) {
            if (!p.isFailed()) {
                pixels.add(p.clipPixels());
            }
        }
        float[][] embeds = models.clip().embedImages(pixels);
        int next = 0;
        for (Prepared p : batch) {
            if (p.isFailed()) {
                labels.add(List.of());
                continue;
            }
            float[] probs = classifier.probabilities(embeds[next++]);
            List<ClassScore> picked = new ArrayList<>();
            for (int c : ClipZeroShot.topLabels(probs, settings.clip().topN(),
                    classifier.minProb(settings.clip()))) {
                picked.add(new ClassScore(c + 1, classNames.get(c), probs[c]));
            }
            labels.add(picked);
        }
        return labels;
    }

    private List<ClassScore> givenLabels(ImageInput input) {
        List<ClassScore> out = new ArrayList<>();
        List<String> names = new ArrayList<>(input.givenLabels());
        if (settings.supervision() == Supervision.BOXES) {
            input.givenBoxes().forEach(b -> names.add(b.name()));
        }
        for (String name : names) {
            int id = classId(input, name);
            if (out.stream().noneMatch(s -> s.classId() == id)) {
                out.add(new ClassScore(id, classNames.get(id - 1), 1f));
            }
        }
        return out;
    }

    private int classId(ImageInput input, String name) {
        Integer id = classIds.get(key(name));
        if (id == null) {
            throw new BadAnnotation(input.uri() + ": given class '" + name + "' is not in the class list " + classNames);
        }
        return id;
    }

    /** The image's boxes: given ({@code boxes} supervision) or found by Grounding-DINO for its labels. */
    private List<Detection> detect(Prepared p, List<ClassScore> labels) {
        RgbImage image = p.image();
        List<Detection> detections = new ArrayList<>();
        if (settings.supervision() == Supervision.BOXES) {
            for (GivenBox b : p.input().givenBoxes()) {
                int id = classId(p.input(), b.name());
                detections.add(new Detection(id - 1, classNames.get(id - 1), 1f,
                        b.box().clip(image.width(), image.height())));
            }
        } else if (!labels.isEmpty()) {
            List<String> names = labels.stream().map(ClassScore::name).toList();
            for (Detection d : models.dino().detect(image, p.dinoPixels(), names)) {
                int id = labels.get(d.classIndex()).classId();
                detections.add(new Detection(id - 1, d.phrase(), d.score(), d.box()));
            }
        }
        return detections;
    }

    /** SAM's candidates for every box, whole over part, then the semantic map. */
    private LabelResult segment(Prepared p, List<ClassScore> labels, List<Detection> detections,
            SamEmbedding embedding) {
        List<Box> boxes = detections.stream().map(Detection::box).toList();
        List<List<Candidate>> candidates = models.sam().segment(embedding, boxes);
        List<LabeledInstance> instances = new ArrayList<>();
        List<InstanceMask> layers = new ArrayList<>();
        for (int i = 0; i < detections.size(); i++) {
            Detection d = detections.get(i);
            Optional<GroupedMask> kept = grouping.select(d.box(), candidates.get(i), selection);
            if (kept.isPresent()) {
                int id = d.classIndex() + 1;
                float quality = Quality.instance(d.score(), kept.get(), classProbability(labels, id));
                instances.add(LabeledInstance.of(id, classNames.get(id - 1), d.box(), d.score(), kept.get(),
                        quality));
                layers.add(new InstanceMask(id, d.score(), kept.get().mask()));
            }
        }
        return compose(p, labels, instances, layers);
    }

    private LabelResult compose(Prepared p, List<ClassScore> labels, List<LabeledInstance> instances,
            List<InstanceMask> layers) {
        RgbImage image = p.image();
        ClassMap semantic = SemanticComposer.compose(image.width(), image.height(), layers, settings.overlap());
        GroupingConfig g = settings.grouping();
        if (g.ignoreBelow() > 0 || g.ignoreBoundary() > 0) {
            SemanticComposer.ignoreRegions(semantic, layers,
                    instances.stream().map(LabeledInstance::quality).toList(), g.ignoreBelow(), g.ignoreBoundary());
        }
        return new LabelResult(p.input().imageId(), p.input().uri(), image.width(), image.height(), LabelStatus.OK,
                null, labels, instances, semantic, PalettePng.write(semantic), imageQuality(labels, instances));
    }

    /**
     * How sure the image-level labels are of class {@code id}, relative to the image's most probable named class
     * ({@link Quality#relativeProbability}); 1 when it was not among them (a given box).
     */
    private static float classProbability(List<ClassScore> labels, int id) {
        for (ClassScore s : labels) {
            if (s.classId() == id) {
                return Quality.relativeProbability(s.score(), topScore(labels));
            }
        }
        return 1f;
    }

    private static float topScore(List<ClassScore> labels) {
        float top = 0f;
        for (ClassScore s : labels) {
            top = Math.max(top, s.score());
        }
        return top;
    }

    private static float imageQuality(List<ClassScore> labels, List<LabeledInstance> instances) {
        List<Float> qualities = new ArrayList<>();
        Set<Integer> found = new HashSet<>();
        for (LabeledInstance i : instances) {
            qualities.add(i.quality());
            found.add(i.classId());
        }
        List<Float> missed = new ArrayList<>();
        for (ClassScore s : labels) {
            if (!found.contains(s.classId())) {
                missed.add(Quality.relativeProbability(s.score(), topScore(labels)));
            }
        }
        return Quality.image(qualities, missed);
    }

    /** A given label or box that names an unknown class. */
    private static final class BadAnnotation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadAnnotation(String message) {
            super(message);
        }
    }
}
