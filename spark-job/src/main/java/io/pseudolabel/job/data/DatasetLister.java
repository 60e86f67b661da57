package io.pseudolabel.job.data;

import io.pseudolabel.geom.Box;
import io.pseudolabel.labeler.GivenBox;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

/** Lists a dataset's images on the driver: a folder tree, or a VOC2012 split with its annotations. */
public final class DatasetLister {
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp");

    private DatasetLister() {}

    /**
     * Every image of the dataset. Images whose id is not a safe relative path, or whose id another image
     * shares, are listed {@link ImageRef#refused() refused} (their file, annotation or status is not read),
     * so that each can have a row saying why; see {@link ImageIds}.
     *
     * @param annotations COCO only: the instances JSON
     * @param withStats COCO only: list the image folder once for sizes and mtimes (incremental runs)
     */
    public static List<ImageRef> list(Layout layout, String root, String split, String annotations,
            boolean withAnnotations, boolean withStats, Configuration conf) {
        try {
            return ImageIds.refuseDuplicates(switch (layout) {
                case FOLDER -> folder(root, conf);
                case VOC -> voc(root, split, withAnnotations, conf);
                case COCO -> coco(root, annotations, withStats, conf);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list images under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Every image file under {@code root}, recursively, by path; the id is the path below the root. */
    static List<ImageRef> folder(String root, Configuration conf) throws IOException {
        String base = HadoopFiles.normalize(root);
        Path rootPath = new Path(base);
        FileSystem fs = rootPath.getFileSystem(conf);
        if (!fs.exists(rootPath)) {
            throw new FileNotFoundException("image folder not found: " + root);
        }
        String prefix = fs.getFileStatus(rootPath).getPath().toString();
        List<ImageRef> out = new ArrayList<>();
        for (FileStatus st : HadoopFiles.listFilesRecursive(fs, rootPath)) {
            String name = st.getPath().getName();
            int dot = name.lastIndexOf('.');
            if (dot < 0 || !EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                continue;
            }
            String full = st.getPath().toString();
            String rel = full.startsWith(prefix) ? full.substring(prefix.length()).replaceFirst("^/", "") : name;
            String id = rel.substring(0, rel.lastIndexOf('.'));
            ImageRef ref = new ImageRef(id, full, st.getLen(), st.getModificationTime(), List.of(), List.of());
            String problem = ImageIds.problem(id);
            out.add(problem == null ? ref : ref.refusedBecause(ImageIds.refusal(id, full, problem)));
        }
        out.sort(Comparator.comparing(ImageRef::imageId));
        return out;
    }

    /** VOC2012: ids from {@code ImageSets/Segmentation/<split>.txt}, images {@code JPEGImages/<id>.jpg}. */
    static List<ImageRef> voc(String root, String split, boolean withAnnotations, Configuration conf)
            throws IOException {
        String listUri = HadoopFiles.child(root, "ImageSets/Segmentation/" + split + ".txt");
        if (!HadoopFiles.exists(listUri, conf)) {
            throw new FileNotFoundException("VOC split list not found: " + listUri);
        }
        List<ImageRef> out = new ArrayList<>();
        FileSystem fs = HadoopFiles.fs(root, conf);
        DocumentBuilder xml = withAnnotations ? vocXmlParser() : null; // one parser for the whole listing
        String[] lines = HadoopFiles.readString(listUri, conf).split("\\R");
        for (int n = 0; n < lines.length; n++) {
            String id = lines[n].strip();
            if (id.isEmpty()) {
                continue;
            }
            String uri = HadoopFiles.child(root, "JPEGImages/" + id + ".jpg");
            String problem = ImageIds.problem(id);
            if (problem != null) {
                // Not even a status: the path may point anywhere (../../outside/evil).
                out.add(new ImageRef(id, uri, -1, -1, List.of(), List.of()).refusedBecause(
                        ImageIds.refusal(id, listUri + " line " + (n + 1), problem)));
                continue;
            }
            long size = -1;
            long mtime = -1;
            try {
                FileStatus st = fs.getFileStatus(new Path(uri));
                size = st.getLen();
                mtime = st.getModificationTime();
            } catch (FileNotFoundException e) {
                // Listed but missing: kept, so its row says so instead of the image silently vanishing.
            }
            List<GivenBox> boxes = List.of();
            List<String> labels = List.of();
            if (withAnnotations) {
                boxes = vocBoxes(HadoopFiles.child(root, "Annotations/" + id + ".xml"), xml, conf);
                labels = boxes.stream().map(GivenBox::name).distinct().toList();
            }
            out.add(new ImageRef(id, uri, size, mtime, labels, boxes));
        }
        return out;
    }

    /**
     * COCO: the image list comes from the instances JSON (no listing of 80k objects), ids are file stems,
     * given labels and boxes come from its annotations. Sizes and mtimes are read by one listing of the
     * image folder only when an incremental run needs them.
     */
    static List<ImageRef> coco(String root, String annotations, boolean withStats, Configuration conf)
            throws IOException {
        if (annotations == null || annotations.isBlank()) {
            throw new IllegalArgumentException("--layout coco needs --annotations (the instances_*.json file)");
        }
        if (!HadoopFiles.exists(annotations, conf)) {
            throw new FileNotFoundException("COCO annotations not found: " + annotations);
        }
        CocoAnnotations coco;
        Path jsonPath = new Path(HadoopFiles.normalize(annotations));
        try (var in = jsonPath.getFileSystem(conf).open(jsonPath)) {
            coco = CocoAnnotations.read(in, annotations);
        }
        // name -> {length, modification time}: two longs, not a FileStatus and its Path, per image
        Map<String, long[]> stats = new HashMap<>();
        if (withStats) {
            Path dir = new Path(HadoopFiles.normalize(root));
            RemoteIterator<FileStatus> it = dir.getFileSystem(conf).listStatusIterator(dir);
            while (it.hasNext()) {
                FileStatus st = it.next();
                stats.put(st.getPath().getName(), new long[] {st.getLen(), st.getModificationTime()});
            }
        }
        List<ImageRef> out = new ArrayList<>();
        for (CocoAnnotations.Image img : coco.images().values()) {
            String name = img.fileName();
            String id = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
            String problem = ImageIds.problem(id);
            if (problem != null) {
                out.add(new ImageRef(id, HadoopFiles.child(root, name), -1, -1, List.of(), List.of()).refusedBecause(
                        ImageIds.refusal(id, annotations + " image " + img.id(), problem)));
                continue;
            }
            long[] st = stats.get(name);
            List<GivenBox> boxes = coco.boxes(img.id());
            out.add(new ImageRef(id, HadoopFiles.child(root, name), st == null ? -1 : st[0], st == null ? -1 : st[1],
                    boxes.stream().map(GivenBox::name).distinct().toList(), boxes));
        }
        out.sort(Comparator.comparing(ImageRef::imageId));
        return out;
    }

    static DocumentBuilder vocXmlParser() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no XML parser for VOC annotations", e);
        }
    }

    /** VOC XML objects; bndbox is 1-based inclusive, our boxes are pixel edges (x1 = xmin-1, x2 = xmax). */
    private static List<GivenBox> vocBoxes(String xmlUri, DocumentBuilder parser, Configuration conf)
            throws IOException {
        byte[] bytes;
        try {
            bytes = HadoopFiles.read(xmlUri, conf); // no exists() first: one stat less per image
        } catch (FileNotFoundException e) {
            FileNotFoundException missing = new FileNotFoundException("VOC annotation not found: " + xmlUri);
            missing.initCause(e);
            throw missing;
        }
        try {
            parser.reset();
            Document doc = parser.parse(new ByteArrayInputStream(bytes));
            NodeList objects = doc.getElementsByTagName("object");
            List<GivenBox> out = new ArrayList<>();
            for (int i = 0; i < objects.getLength(); i++) {
                Element o = (Element) objects.item(i);
                String name = text(o, "name", xmlUri);
                Element bb = (Element) o.getElementsByTagName("bndbox").item(0);
                if (bb == null) {
                    throw new IOException(xmlUri + ": object '" + name + "' has no bndbox");
                }
                float xmin = Float.parseFloat(text(bb, "xmin", xmlUri));
                float ymin = Float.parseFloat(text(bb, "ymin", xmlUri));
                float xmax = Float.parseFloat(text(bb, "xmax", xmlUri));
                float ymax = Float.parseFloat(text(bb, "ymax", xmlUri));
                out.add(new GivenBox(name, new Box(xmin - 1, ymin - 1, xmax, ymax)));
            }
            return out;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot parse VOC annotation " + xmlUri + ": " + e.getMessage(), e);
        }
    }

    private static String text(Element parent, String tag, String file) throws IOException {
        NodeList n = parent.getElementsByTagName(tag);
        if (n.getLength() == 0) {
            throw new IOException(file + ": missing <" + tag + ">");
        }
        return n.item(0).getTextContent().strip();
    }
}
