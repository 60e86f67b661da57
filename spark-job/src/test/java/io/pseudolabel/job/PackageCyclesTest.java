package io.pseudolabel.job;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No two packages of the product (model-udfs and spark-job, main classes only) depend on each other, directly or
 * through others: the JDK's {@code jdeps -verbose:package} lists every package-to-package dependency of the
 * compiled classes, and the strongly connected components of that graph must all be single packages.
 */
class PackageCyclesTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.pseudolabel[\\w.]*)\\s+->\\s+(io\\.pseudolabel[\\w.]*)\\s.*");

    @Test
    void theProductsPackagesFormNoCycle() {
        Path modelUdfs = Path.of("..", "model-udfs", "target", "classes");
        Path sparkJob = Path.of("target", "classes");
        assertTrue(Files.isDirectory(modelUdfs) && Files.isDirectory(sparkJob), "build both modules first");
        Map<String, Set<String>> graph = dependencies(modelUdfs, sparkJob);
        assertTrue(graph.size() > 20, "jdeps found the packages: " + graph.keySet());
        assertTrue(graph.get("io.pseudolabel.job").contains("io.pseudolabel.job.label"), "edges found: " + graph);
        List<Set<String>> cycles = new ArrayList<>();
        for (Set<String> component : components(graph)) {
            if (component.size() > 1) {
                cycles.add(component);
            }
        }
        assertEquals(List.of(), cycles, "packages that depend on each other");
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a", "d"));
        g.put("d", Set.of());
        List<Set<String>> big = components(g).stream().filter(c -> c.size() > 1).toList();
        assertEquals(List.of(Set.of("a", "b", "c")), big);
    }

    /** Package -> the io.pseudolabel packages it uses, from jdeps. */
    static Map<String, Set<String>> dependencies(Path... classDirs) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "-e", "io\\.pseudolabel\\..*"));
        for (Path p : classDirs) {
            args.add(p.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, code, err.toString());
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.matches()) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                graph.computeIfAbsent(m.group(2), k -> new TreeSet<>());
                if (!m.group(1).equals(m.group(2))) {
                    graph.get(m.group(1)).add(m.group(2));
                }
            }
        }
        return graph;
    }

    /** Tarjan's strongly connected components. */
    static List<Set<String>> components(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
