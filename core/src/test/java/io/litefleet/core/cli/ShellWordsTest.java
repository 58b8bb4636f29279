package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void split_blanksQuotesAndEscapes_asGoShellwords() {
        assertEquals(List.of("myapp", "serve", "--port", "8080"), ShellWords.split("  myapp serve\t--port 8080 "));
        assertEquals(List.of("sh", "-c", "echo $HOME; exit 3"), ShellWords.split("sh -c 'echo $HOME; exit 3'"));
        assertEquals(List.of("a b", "say \"hi\" \\ $x"), ShellWords.split("\"a b\" \"say \\\"hi\\\" \\\\ \\$x\""));
        assertEquals(List.of("a b", "c"), ShellWords.split("a\\ b c"));
        assertEquals(List.of("", "x"), ShellWords.split("'' x"), "an empty quoted word is a word");
        assertEquals(List.of("it's"), ShellWords.split("it\\'s"));
    }

    @Test
    void split_badLines_areRefusedNamingTheLineAndWhy() {
        assertTrue(message("sh -c 'exit 3").contains("single quote is not closed"));
        assertTrue(message("echo \"x").contains("double quote is not closed"));
        assertTrue(message("   ").contains("names no command"));
        assertTrue(message("app\\").contains("lone backslash"));
        String op = message("app serve && rm -rf /tmp/x");
        assertTrue(op.contains("'&' is shell syntax") && op.contains("sh -c"), op);
        assertTrue(message("app > log").startsWith("cannot parse exec command 'app > log': "));
    }

    private static String message(String line) {
        return assertThrows(UserException.class, () -> ShellWords.split(line)).getMessage();
    }
}
