package io.litefleet.discovery.glob;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses pattern text into a {@link GlobPattern} and names its captures. Stateless.
 *
 * <p>Variable names, per capture in pattern order:
 * <ol>
 *   <li>a named capture {@code {name}} is called {@code name} (names: a letter or {@code _}, then letters, digits,
 *       {@code _} or {@code -}; each name at most once per pattern);</li>
 *   <li>otherwise, when the segment before the capture's segment is a literal plural directory name, its singular
 *       ({@link #singular}): {@code tenants/*.db} gives {@code tenant};</li>
 *   <li>otherwise, or when that name is already taken (by any named capture of the pattern, or by an earlier capture),
 *       {@code #k}, where {@code k} is the capture's 1-based position among all captures of the pattern.</li>
 * </ol>
 */
final class GlobPatternParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private GlobPatternParser() {
    }

    /**
     * Parses one pattern.
     *
     * @throws IllegalArgumentException saying what is wrong (relative, empty segment, unbalanced brackets or braces,
     *                                  a bad or repeated capture name, {@code **} misplaced)
     */
    static GlobPattern parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("must be absolute (start with '/')");
        }
        if (text.length() == 1) {
            throw new IllegalArgumentException("must name files below '/'");
        }
        String[] parts = text.substring(1).split("/", -1);
        List<Segment> segments = new ArrayList<>(parts.length);
        List<String> declared = new ArrayList<>(); // per capture: its {name}, or null
        List<Integer> owner = new ArrayList<>();   // per capture: index of its segment
        for (int i = 0; i < parts.length; i++) {
            segments.add(segment(parts[i], i, i == parts.length - 1, declared, owner));
        }
        return new GlobPattern(text, segments, names(segments, declared, owner));
    }

    private static Segment segment(String part, int index, boolean last, List<String> declared, List<Integer> owner) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("segment " + (index + 1) + " is empty (a doubled or trailing '/')");
        }
        if (part.equals(".") || part.equals("..")) {
            throw new IllegalArgumentException("segment " + (index + 1) + " is '" + part + "'; write the path normalised");
        }
        if (part.equals("**")) {
            if (last) {
                throw new IllegalArgumentException("must end in a file name, not '**'");
            }
            return Segment.AnyDirectories.INSTANCE;
        }
        if (part.contains("**")) {
            throw new IllegalArgumentException("'**' must be a whole segment, got '" + part + "'");
        }
        int first = declared.size();
        String regex = translate(part, declared);
        for (int k = first; k < declared.size(); k++) {
            owner.add(index);
        }
        if (declared.size() == first) {
            return new Segment.Literal(unescape(part));
        }
        try {
            return new Segment.Wildcard(part, Pattern.compile(regex), first, declared.size() - first);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("segment '" + part + "' has an invalid character set", e);
        }
    }

    /** The regular expression for one segment; appends one entry to {@code declared} per capture. */
    private static String translate(String part, List<String> declared) {
        StringBuilder re = new StringBuilder(part.length() + 16);
        int i = 0;
        while (i < part.length()) {
            char c = part.charAt(i);
            switch (c) {
                case '\\' -> {
                    literal(escaped(part, i), re);
                    i += 2;
                }
                case '*' -> {
                    re.append("(.*)");
                    declared.add(null);
                    i++;
                }
                case '?' -> {
                    re.append("(.)");
                    declared.add(null);
                    i++;
                }
                case '[' -> {
                    i = characterSet(part, i, re);
                    declared.add(null);
                }
                case '{' -> {
                    int close = part.indexOf('}', i + 1);
                    int nested = part.indexOf('{', i + 1);
                    if (close < 0 || (nested >= 0 && nested < close)) {
                        throw new IllegalArgumentException("unbalanced '{' in segment '" + part + "'");
                    }
                    String name = part.substring(i + 1, close);
                    if (!NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException("capture name '" + name + "' in segment '" + part
                                + "' is not a name (a letter or '_', then letters, digits, '_' or '-')");
                    }
                    re.append("(.+)");
                    declared.add(name);
                    i = close + 1;
                }
                case ']', '}' -> throw new IllegalArgumentException("unbalanced '" + c + "' in segment '" + part + "'");
                default -> {
                    literal(c, re);
                    i++;
                }
            }
        }
        return re.toString();
    }

    /** Translates {@code [...]} starting at {@code open}; returns the index after its {@code ]}. */
    private static int characterSet(String part, int open, StringBuilder re) {
        int i = open + 1;
        re.append("([");
        if (i < part.length() && (part.charAt(i) == '!' || part.charAt(i) == '^')) {
            re.append('^');
            i++;
        }
        int start = i;
        while (i < part.length() && part.charAt(i) != ']') {
            char c = part.charAt(i);
            if (c == '[') {
                throw new IllegalArgumentException("unbalanced '[' in segment '" + part + "'");
            }
            if (c == '\\') {
                literal(escaped(part, i), re);
                i += 2;
                continue;
            }
            if (c == '-' && i > start && i + 1 < part.length() && part.charAt(i + 1) != ']') {
                re.append('-');
            } else {
                literal(c, re);
            }
            i++;
        }
        if (i >= part.length()) {
            throw new IllegalArgumentException("unbalanced '[' in segment '" + part + "'");
        }
        if (i == start) {
            throw new IllegalArgumentException("empty character set '[]' in segment '" + part + "'");
        }
        re.append("])");
        return i + 1;
    }

    /** The character a {@code \\} at {@code i} escapes; a trailing {@code \\} escapes nothing and is an error. */
    private static char escaped(String part, int i) {
        if (i + 1 >= part.length()) {
            throw new IllegalArgumentException("segment '" + part + "' ends in '\\', which escapes nothing");
        }
        return part.charAt(i + 1);
    }

    /** A segment without wildcards as the file name it stands for: each {@code \\c} is {@code c}. */
    private static String unescape(String part) {
        if (part.indexOf('\\') < 0) {
            return part;
        }
        StringBuilder out = new StringBuilder(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '\\') {
                c = escaped(part, i);
                i++;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static void literal(char c, StringBuilder re) {
        if (!Character.isLetterOrDigit(c)) {
            re.append('\\'); // escaping a non-letter is always a literal in java.util.regex
        }
        re.append(c);
    }

    private static List<String> names(List<Segment> segments, List<String> declared, List<Integer> owner) {
        Set<String> taken = new HashSet<>();
        for (String name : declared) {
            if (name != null && !taken.add(name)) {
                throw new IllegalArgumentException("named capture {" + name + "} is used twice");
            }
        }
        List<String> names = new ArrayList<>(declared.size());
        for (int k = 0; k < declared.size(); k++) {
            String name = declared.get(k);
            if (name == null) {
                int segment = owner.get(k);
                String derived = segment > 0 && segments.get(segment - 1) instanceof Segment.Literal l
                        ? singular(l.name()) : null;
                name = derived != null && taken.add(derived) ? derived : "#" + (k + 1);
            }
            names.add(name);
        }
        return names;
    }

    /**
     * The singular of a plural directory name, or {@code null} when it does not look plural. Deliberately small:
     * {@code -ies} becomes {@code -y} ({@code entries}), {@code -ches}, {@code -shes}, {@code -xes} and {@code -sses}
     * drop {@code es} ({@code branches}, {@code boxes}, {@code classes}), {@code -ss} is not plural, any other
     * {@code -s} is dropped ({@code tenants}, {@code databases}). Case-sensitive; only lower-case suffixes count.
     */
    static String singular(String dir) {
        if (dir.endsWith("ies")) {
            return dir.length() > 3 ? dir.substring(0, dir.length() - 3) + "y" : null;
        }
        if (dir.length() > 4 && (dir.endsWith("ches") || dir.endsWith("shes") || dir.endsWith("sses"))
                || dir.length() > 3 && dir.endsWith("xes")) {
            return dir.substring(0, dir.length() - 2);
        }
        if (dir.length() > 1 && dir.endsWith("s") && !dir.endsWith("ss")) {
            return dir.substring(0, dir.length() - 1);
        }
        return null;
    }
}
