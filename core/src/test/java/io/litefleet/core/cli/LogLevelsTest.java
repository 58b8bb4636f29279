package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** -log-level, then $LOG_LEVEL (upstream reads it; its own tests set LOG_LEVEL=DEBUG), then the config. */
class LogLevelsTest {
    @Test
    void flagWins_thenTheVariable_badFlagRefused_badVariableIgnored() {
        assertEquals(Optional.of(System.Logger.Level.ERROR), LogLevels.parse("error", "DEBUG"));
        assertEquals(Optional.of(System.Logger.Level.DEBUG), LogLevels.parse(null, "DEBUG"));
        assertEquals(Optional.of(System.Logger.Level.WARNING), LogLevels.parse(null, "warn"));
        assertEquals(Optional.empty(), LogLevels.parse(null, null));
        assertEquals(Optional.empty(), LogLevels.parse(null, "verbose"), "meant for another program");
        UserException e = assertThrows(UserException.class, () -> LogLevels.parse("verbose", null));
        assertTrue(e.getMessage().contains("invalid -log-level 'verbose'"), e.getMessage());
    }
}
