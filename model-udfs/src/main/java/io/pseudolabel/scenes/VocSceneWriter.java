package io.pseudolabel.scenes;

import io.pseudolabel.geom.Box;
import io.pseudolabel.image.RgbImage;
import io.pseudolabel.masks.PalettePng;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes generated scenes as a PASCAL VOC 2012 tree, so every VOC reader in the project (and outside it)
 * can load the demo set:
 * <pre>
 * JPEGImages/&lt;id&gt;.jpg              quality 0.92
 * SegmentationClass/&lt;id&gt;.png       palette PNG, ids 1..K in world order
 * Annotations/&lt;id&gt;.xml             one &lt;object&gt; per object, 1-based inclusive bndbox
 * ImageSets/Segmentation/train.txt, val.txt
 * classes.txt                        one class name per line, world order
 * </pre>
 * Train scenes are indices 0..train-1, val scenes the next {@code val}; the same seed writes the same bytes.
 */
public final class VocSceneWriter {

    public static final float JPEG_QUALITY = 0.92f;

    /** The ids written, per split. */
    public record Splits(List<String> train, List<String> val) {}

    private final SceneGenerator generator;

    public VocSceneWriter(SceneGenerator generator) {
        this.generator = generator;
    }

    public Splits write(Path root, int trainCount, int valCount) throws IOException {
        if (trainCount < 0 || valCount < 0) {
            throw new IllegalArgumentException("scene counts must not be negative: " + trainCount + ", " + valCount);
        }
        for (String dir : List.of("JPEGImages", "SegmentationClass", "Annotations", "ImageSets/Segmentation")) {
            Files.createDirectories(root.resolve(dir));
        }
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        for (int i = 0; i < trainCount + valCount; i++) {
            Scene scene = generator.scene(i);
            writeScene(root, scene);
            (i < trainCount ? train : val).add(scene.id());
        }
        writeLines(root.resolve("ImageSets/Segmentation/train.txt"), train);
        writeLines(root.resolve("ImageSets/Segmentation/val.txt"), val);
        writeLines(root.resolve("classes.txt"), generator.world().classNames());
        return new Splits(List.copyOf(train), List.copyOf(val));
    }

    /** One scene's image, class PNG and annotation, into existing directories under {@code root}. */
    public static void writeScene(Path root, Scene scene) throws IOException {
        Files.write(root.resolve("JPEGImages").resolve(scene.id() + ".jpg"), jpeg(scene.image(), JPEG_QUALITY));
        Files.write(root.resolve("SegmentationClass").resolve(scene.id() + ".png"), PalettePng.write(scene.truth()));
        Files.writeString(root.resolve("Annotations").resolve(scene.id() + ".xml"), annotationXml(scene),
                StandardCharsets.UTF_8);
    }

    /**
     * The VOC annotation. VOC boxes are 1-based and inclusive: a pixel-edge box x1..x2 (columns x1 to
     * x2-1, 0-based) is xmin = x1+1, xmax = x2.
     */
    public static String annotationXml(Scene scene) {
        StringBuilder s = new StringBuilder();
        s.append("<annotation>\n");
        s.append("\t<folder>VOC2012</folder>\n");
        s.append("\t<filename>").append(escape(scene.id())).append(".jpg</filename>\n");
        s.append("\t<source>\n\t\t<database>pseudolabel synthetic scenes</database>\n\t</source>\n");
        s.append("\t<size>\n");
        s.append("\t\t<width>").append(scene.image().width()).append("</width>\n");
        s.append("\t\t<height>").append(scene.image().height()).append("</height>\n");
        s.append("\t\t<depth>3</depth>\n");
        s.append("\t</size>\n");
        s.append("\t<segmented>1</segmented>\n");
        for (SceneObject o : scene.objects()) {
            Box b = o.box();
            s.append("\t<object>\n");
            s.append("\t\t<name>").append(escape(o.name())).append("</name>\n");
            s.append("\t\t<pose>Unspecified</pose>\n");
            s.append("\t\t<truncated>0</truncated>\n");
            s.append("\t\t<difficult>0</difficult>\n");
            s.append("\t\t<bndbox>\n");
            s.append("\t\t\t<xmin>").append((int) b.x1() + 1).append("</xmin>\n");
            s.append("\t\t\t<ymin>").append((int) b.y1() + 1).append("</ymin>\n");
            s.append("\t\t\t<xmax>").append((int) b.x2()).append("</xmax>\n");
            s.append("\t\t\t<ymax>").append((int) b.y2()).append("</ymax>\n");
            s.append("\t\t</bndbox>\n");
            s.append("\t</object>\n");
        }
        s.append("</annotation>\n");
        return s.toString();
    }

    /** Baseline JPEG through the JDK's own writer, so the bytes do not depend on which plugins are present. */
    public static byte[] jpeg(RgbImage image, float quality) {
        int w = image.width(), h = image.height();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int[] samples = new int[w * h * 3];
        byte[] rgb = image.rgb();
        for (int i = 0; i < samples.length; i++) {
            samples[i] = rgb[i] & 0xff;
        }
        bi.getRaster().setPixels(0, 0, w, h, samples);
        ImageWriter writer = jdkJpegWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.setOutput(out);
            writer.write(null, new IIOImage(bi, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static ImageWriter jdkJpegWriter() {
        ImageWriter fallback = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.imageio.")) {
                return w;
            }
            fallback = fallback == null ? w : fallback;
        }
        if (fallback == null) {
            throw new IllegalStateException("no JPEG writer in this JVM");
        }
        return fallback;
    }

    private static void writeLines(Path file, List<String> lines) throws IOException {
        StringBuilder s = new StringBuilder();
        for (String line : lines) {
            s.append(line).append('\n');
        }
        Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
