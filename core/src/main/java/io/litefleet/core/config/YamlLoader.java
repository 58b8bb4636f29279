package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML file into a {@link Settings} tree that remembers the line of every key, so every later error can
 * name file, line and key. Scalars are strings; {@code $VAR} and {@code ${VAR}} are replaced by environment
 * variables as Litestream does, except that an unset variable is an error rather than an empty string.
 * Duplicate keys, anchors of unbounded size and non-string keys are rejected. Stateless and thread-safe.
 */
public final class YamlLoader {
    private static final Pattern ENV = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))");

    private final UnaryOperator<String> env;

    private YamlLoader(UnaryOperator<String> env) {
        this.env = env;
    }

    /** A loader that expands variables from the process environment. */
    public static YamlLoader withProcessEnvironment() {
        return new YamlLoader(System::getenv);
    }

    /** A loader that leaves {@code $VAR} as written (upstream's {@code -no-expand-env}). */
    public static YamlLoader withoutExpansion() {
        return new YamlLoader(null);
    }

    /** A loader that expands variables from the given lookup (null means unset); for tests. */
    public static YamlLoader withEnvironment(UnaryOperator<String> lookup) {
        return new YamlLoader(lookup);
    }

    /** Reads a file. An empty file is an empty section. */
    public Settings load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses text; {@code name} is used in messages. */
    public Settings parse(String name, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(16 * 1024 * 1024);
        Node root;
        try (Reader reader = new StringReader(text)) {
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(name + ":" + line + ": invalid YAML: " + e.getProblem());
        } catch (YAMLException | IOException e) {
            throw new ConfigException(name + ": invalid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return new Settings(name, Map.of());
        }
        if (!(root instanceof MappingNode map)) {
            throw new ConfigException(name + ":" + line(root) + ": the top level must be a mapping of keys");
        }
        return section(name, "", map);
    }

    private Settings section(String file, String path, MappingNode node) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw new ConfigException(file + ":" + line(t.getKeyNode()) + ": keys must be plain names");
            }
            String k = key.getValue();
            if (seen.containsKey(k)) {
                throw new ConfigException(file + ":" + line(key) + ": duplicate key '" + k + "' (first on line "
                        + seen.get(k) + ")");
            }
            seen.put(k, line(key));
            String childPath = path.isEmpty() ? k : path + "." + k;
            Object v = value(file, childPath, t.getValueNode());
            if (v != null) {
                values.put(k, v);
                lines.put(k, line(key));
            }
        }
        String origin = path.isEmpty() ? file : file + ": " + path;
        return new Settings(origin, values, lines);
    }

    private Object value(String file, String path, Node node) {
        if (node instanceof MappingNode m) {
            return section(file, path, m);
        }
        if (node instanceof SequenceNode seq) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Node item : seq.getValue()) {
                Object v = value(file, path + "[" + i++ + "]", item);
                if (v != null) {
                    out.add(v);
                }
            }
            return out;
        }
        ScalarNode scalar = (ScalarNode) node;
        if (Tag.NULL.equals(scalar.getTag())) {
            return null;
        }
        return expand(file, scalar);
    }

    private String expand(String file, ScalarNode scalar) {
        String raw = scalar.getValue();
        if (env == null || raw.indexOf('$') < 0) {
            return raw;
        }
        Matcher m = ENV.matcher(raw);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String var = m.group(1) != null ? m.group(1) : m.group(2);
            String val = env.apply(var);
            if (val == null) {
                throw new ConfigException(file + ":" + line(scalar) + ": environment variable $" + var
                        + " is not set");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(val));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }
}
