package io.pseudolabel.job.data;

import org.apache.hadoop.fs.Path;

/**
 * The one check every write named by data goes through ({@code export voc}'s {@code <id>.png},
 * {@code predict --png}): the file must resolve under the output root the user named.
 */
public final class OutputPaths {
    private OutputPaths() {}

    /**
     * {@code root/relative}, refused with an {@link IllegalArgumentException} naming both unless
     * {@code relative} is a safe relative path ({@link ImageIds#problem}) and the result, normalized, is still
     * below {@code root}.
     */
    public static String under(String root, String relative) {
        String problem = ImageIds.problem(relative);
        if (problem != null) {
            throw new IllegalArgumentException("refusing to write '" + ImageIds.printable(relative) + "' under " + root
                    + ": the name " + problem);
        }
        String base = HadoopFiles.normalize(root);
        String child = HadoopFiles.child(base, relative);
        String rootPath = new Path(base).toUri().normalize().getPath();
        String childPath = new Path(child).toUri().normalize().getPath();
        String prefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
        if (childPath == null || !childPath.startsWith(prefix)) {
            throw new IllegalArgumentException("refusing to write '" + ImageIds.printable(relative) + "': it resolves"
                    + " to " + child + ", outside " + root);
        }
        return child;
    }
}
