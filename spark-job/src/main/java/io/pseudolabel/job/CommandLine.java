package io.pseudolabel.job;

import io.pseudolabel.job.common.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code command --key value --flag ... --conf k=v ...}. Options are checked against the command's known
 * names so a typo fails with the list of valid ones instead of being ignored.
 */
public final class CommandLine {
    private final String command;
    private final Map<String, String> options;
    private final List<String> confs;
    private final List<String> positional;

    private CommandLine(String command, Map<String, String> options, List<String> confs, List<String> positional) {
        this.command = command;
        this.options = options;
        this.confs = confs;
        this.positional = positional;
    }

    /**
     * @param flags options that take no value
     */
    public static CommandLine parse(String[] args, Set<String> flags) {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> confs = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String key = a.substring(2);
            String value = null;
            int eq = key.indexOf('=');
            if (eq > 0 && !key.startsWith("conf")) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            }
            if (flags.contains(key)) {
                options.put(key, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("option --" + key + " needs a value");
                }
                value = args[++i];
            }
            if (key.equals("conf")) {
                confs.add(value);
            } else {
                options.put(key, value);
            }
        }
        return new CommandLine(args[0], options, confs, positional);
    }

    public String command() {
        return command;
    }

    public List<String> positional() {
        return positional;
    }

    public List<String> confs() {
        return confs;
    }

    public String get(String key) {
        return options.get(key);
    }

    public String get(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(options.getOrDefault(key, "false"));
    }

    public String require(String key) {
        String v = options.get(key);
        if (v == null) {
            throw new UsageException(command + " needs --" + key);
        }
        return v;
    }

    /** Fails on any option the command does not know, and on any argument that is not an option. */
    public void allowOnly(Set<String> known) {
        allowOnly(known, 0);
    }

    /** Fails on any option the command does not know, and on more than {@code positionals} other arguments. */
    public void allowOnly(Set<String> known, int positionals) {
        if (positional.size() > positionals) {
            List<String> stray = positional.subList(positionals, positional.size());
            throw new UsageException("unexpected argument" + (stray.size() > 1 ? "s" : "") + " for " + command + ": '"
                    + String.join("', '", stray) + "' (options start with --; a value with spaces needs quotes)");
        }
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new UsageException("unknown option --" + key + " for " + command + "; known: --"
                        + String.join(", --", new java.util.TreeSet<>(known)));
            }
        }
    }

}
