package io.litefleet.core.cli;

import java.io.Console;

/** Whether standard output is a terminal (for progress bars). */
final class Terminal {
    private Terminal() {
    }

    /**
     * True on an interactive terminal. From JDK 22 on {@link System#console()} is not null for redirected streams
     * either, and {@code Console.isTerminal()} (JDK 22) tells; on 21 a console exists only on a terminal.
     */
    static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
