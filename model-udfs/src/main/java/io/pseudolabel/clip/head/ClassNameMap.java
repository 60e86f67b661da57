package io.pseudolabel.clip.head;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renames dataset labels to target classes while labels are read, e.g. Open Images' {@code Motorcycle}
 * (or its id {@code /m/04_sv}) to {@code motorbike}. The file is CSV, one {@code from,to} pair a line
 * (double quotes around a field that holds a comma); blank lines and lines starting with {@code #} are
 * skipped. Matching is case-insensitive and ignores surrounding spaces; a label not in the file keeps its
 * name. Mapping a name to {@code -} drops that label.
 */
public final class ClassNameMap implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The target that means "drop this label". */
    public static final String DROP = "-";

    private final Map<String, String> map;

    private ClassNameMap(Map<String, String> map) {
        this.map = map;
    }

    public static ClassNameMap identity() {
        return new ClassNameMap(Map.of());
    }

    /** Parses the file's text; {@code source} names the file in every error. */
    public static ClassNameMap parse(String text, String source) {
        Map<String, String> map = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int lineNo = i + 1;
            List<String> cols = splitCsv(line, "class map " + source, lineNo);
            if (cols.size() != 2 || cols.get(0).isBlank() || cols.get(1).isBlank()) {
                throw new IllegalArgumentException("class map " + source + " line " + lineNo
                        + ": expected two non-empty columns from,to; got '" + lines[i] + "'");
            }
            String from = key(cols.get(0));
            String to = cols.get(1).strip();
            String before = map.get(from);
            if (before != null && !before.equalsIgnoreCase(to)) {
                throw new IllegalArgumentException("class map " + source + " line " + lineNo + ": '" + cols.get(0)
                        + "' maps to '" + to + "' but line " + lineOf.get(from) + " maps it to '" + before + "'");
            }
            map.put(from, to);
            lineOf.putIfAbsent(from, lineNo);
        }
        return new ClassNameMap(Map.copyOf(map));
    }

    /** The target name of {@code label}: its mapping, or the label itself; null when mapped to {@link #DROP}. */
    public String apply(String label) {
        String to = map.get(key(label));
        if (to == null) {
            return label.strip();
        }
        return to.equals(DROP) ? null : to;
    }

    public int size() {
        return map.size();
    }

    private static String key(String s) {
        return s.strip().toLowerCase(Locale.ROOT);
    }

    /** RFC 4180 fields of one line: commas separate, double quotes enclose, "" is a quote inside quotes. */
    public static List<String> splitCsv(String line, String source, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(source + " line " + lineNo + ": unclosed quote");
        }
        out.add(cur.toString());
        return out;
    }
}
