package io.litefleet.core.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an {@code -exec} command line into words as upstream does (go-shellwords, without variable or backtick
 * expansion): blanks separate words; single quotes keep everything; double quotes keep everything but a backslash
 * before {@code " \ $ `}; a backslash outside quotes keeps the next character. Shell operators outside quotes
 * ({@code ; & | < >}) are refused rather than cut off as upstream does: {@code sh -c '...'} runs shell syntax.
 * Stateless.
 */
final class ShellWords {
    private ShellWords() {
    }

    /** The words of {@code line}; at least one. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\') {
                if (++i == line.length()) {
                    throw bad(line, "it ends with a lone backslash");
                }
                word.append(line.charAt(i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (";&|<>".indexOf(c) >= 0) {
                throw bad(line, "'" + c + "' is shell syntax; run it through a shell: -exec \"sh -c '...'\"");
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw bad(line, "its " + (quote == '"' ? "double" : "single") + " quote is not closed");
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw bad(line, "it names no command");
        }
        return List.copyOf(words);
    }

    private static UserException bad(String line, String why) {
        return new UserException("cannot parse exec command '" + line + "': " + why);
    }
}
