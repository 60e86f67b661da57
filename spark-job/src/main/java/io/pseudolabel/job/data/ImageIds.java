package io.pseudolabel.job.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Image ids become file paths ({@code export voc} writes {@code <output>/<id>.png}, {@code predict --png}
 * {@code png/<id>.png}), so only ids that are safe relative paths are accepted: not empty, not absolute, no
 * {@code .} or {@code ..} segment, no empty segment ({@code a//b}, a trailing {@code /}), no backslash and no
 * control character. Ids must also be unique: {@code a.jpg} and {@code a.png} in one folder are both id
 * {@code a}.
 */
public final class ImageIds {
    private ImageIds() {}

    /** Why {@code id} is not a safe relative path, or null when it is. */
    public static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "is empty";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return String.format("contains the control character U+%04X", (int) c);
            }
            if (c == '\\') {
                return "contains a backslash";
            }
        }
        if (id.startsWith("/")) {
            return "is an absolute path";
        }
        for (String segment : id.split("/", -1)) {
            if (segment.isEmpty()) {
                return "has an empty path segment";
            }
            if (segment.equals("..")) {
                return "contains a '..' segment";
            }
            if (segment.equals(".")) {
                return "contains a '.' segment";
            }
        }
        return null;
    }

    /** {@link #problem} as a refusal message naming the id and where it came from. */
    static String refusal(String id, String source, String problem) {
        return "image id '" + printable(id) + "' (" + printable(source) + ") " + problem + "; refused, not read";
    }

    /** The id with control characters shown as {@code \\uXXXX}, so a message stays on one line. */
    public static String printable(String id) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            s.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ? String.format("\\u%04x", (int) c) : c);
        }
        return s.toString();
    }

    /**
     * {@code refs} with every ref whose id another ref shares refused (all of them: which one was meant is not
     * known), naming every file of that id. Order is kept.
     */
    static List<ImageRef> refuseDuplicates(List<ImageRef> refs) {
        Map<String, List<ImageRef>> byId = new LinkedHashMap<>();
        for (ImageRef r : refs) {
            byId.computeIfAbsent(r.imageId(), k -> new ArrayList<>()).add(r);
        }
        List<ImageRef> out = new ArrayList<>(refs.size());
        for (ImageRef r : refs) {
            List<ImageRef> same = byId.get(r.imageId());
            if (same.size() < 2 || r.refused() != null) {
                out.add(r);
                continue;
            }
            List<String> uris = same.stream().map(ImageRef::uri).distinct().sorted().toList();
            String why = uris.size() == 1
                    ? "image id '" + printable(r.imageId()) + "' is listed " + same.size() + " times: "
                            + printable(uris.get(0))
                    : "image id '" + printable(r.imageId()) + "' is shared by " + same.size() + " files: "
                            + printable(String.join(" and ", uris));
            out.add(r.refusedBecause(why + "; refused, rename one (ids name the output files)"));
        }
        return out;
    }
}
