package io.litefleet.discovery.glob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobPatternParserTest {

    @Test
    void parse_splitsLiteralWildcardAndAnyDirectorySegments() {
        GlobPattern p = GlobPattern.parse("/data/**/t?nant[0-9]/*.db");
        assertEquals(4, p.size());
        assertEquals(new Segment.Literal("data"), p.segment(0));
        assertInstanceOf(Segment.AnyDirectories.class, p.segment(1));
        assertInstanceOf(Segment.Wildcard.class, p.segment(2));
        assertInstanceOf(Segment.Wildcard.class, p.segment(3));
        assertEquals(List.of("#1", "#2", "#3"), p.variableNames());
        assertEquals(1, p.literalPrefixLength());
    }

    @Test
    void backslash_makesWildcardCharactersLiteral_inDirectoriesToo() {
        GlobPattern p = GlobPattern.parse("/data/a\\[1\\]/b\\*c/*.db");
        assertEquals(new Segment.Literal("a[1]"), p.segment(1));
        assertEquals(new Segment.Literal("b*c"), p.segment(2));
        assertEquals(3, p.literalPrefixLength());
        assertEquals(Path.of("/data/a[1]/b*c"), p.directory(Path.of("/"), 3));
    }

    @Test
    void trailingBackslash_isRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GlobPattern.parse("/data/x\\/*.db"));
        assertTrue(e.getMessage().contains("escapes nothing"), e.getMessage());
    }

    @Test
    void literalPrefix_stopsBeforeTheFileSegment() {
        assertEquals(2, GlobPattern.parse("/var/lib/app.db").literalPrefixLength());
        assertEquals(3, GlobPattern.parse("/var/lib/apps/*/data/*.db").literalPrefixLength());
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "*.db, a.db, true",
            "*.db, .db, true",
            "*.db, a.sqlite, false",
            "?.db, a.db, true",
            "?.db, ab.db, false",
            "[abc].db, b.db, true",
            "[abc].db, d.db, false",
            "[a-c].db, c.db, true",
            "[!a-c].db, c.db, false",
            "[!a-c].db, d.db, true",
            "[^a-c].db, d.db, true",
            "[a-].db, -.db, true",
            "{tenant}.db, x.db, true",
            "{tenant}.db, .db, false",
            "t-{id}-*.db, t-1-2.db, true",
            "a+b(c).db, a+b(c).db, true",
            "a+b(c).db, aab(c).db, false",
            "\\*.db, *.db, true",
            "\\*.db, a.db, false",
            "\\{x\\}-*.db, {x}-1.db, true",
            "[\\]a].db, ].db, true",
            "[\\!a].db, !.db, true",
            "[\\!a].db, b.db, false",
    })
    void wildcardSegment_matchesLikeAShellGlob(String segment, String name, boolean matches) {
        PatternMatcher m = new PatternMatcher(GlobPattern.parse("/x/" + segment));
        assertEquals(matches, m.accepts(1, name));
    }

    @Test
    void variableNames_comeFromSingularDirectoryNamesOrPosition() {
        assertEquals(List.of("#1", "database", "branch", "tenant"),
                GlobPattern.parse("/data/*/databases/*/branches/*/tenants/*.db").variableNames());
        assertEquals(List.of("tenant", "database"), GlobPattern.parse("/data/tenants/*/databases/*.db").variableNames());
        assertEquals(List.of("#1", "project", "branch", "#4"),
                GlobPattern.parse("/data/*/projects/*/branches/*/db/*.sqlite").variableNames());
        assertEquals(List.of("app", "#2"), GlobPattern.parse("/var/lib/apps/*/data/*.db").variableNames());
    }

    @Test
    void namedCaptures_winOverDerivedNamesWhereverTheyStand() {
        // the first '*' would be "tenant", but {tenant} takes that name, so the '*' falls back to its position
        assertEquals(List.of("#1", "tenant"), GlobPattern.parse("/data/tenants/*/x/{tenant}.db").variableNames());
        assertEquals(List.of("project", "tenant"), GlobPattern.parse("/data/{project}/tenants/{tenant}.db").variableNames());
    }

    @Test
    void secondWildcardOfTheSameDirectory_fallsBackToItsPosition() {
        assertEquals(List.of("tenant", "#2", "#3"), GlobPattern.parse("/t/tenants/*-?-[ab].db").variableNames());
    }

    @Test
    void anyDirectories_isNotAVariable() {
        assertEquals(List.of("tenant"), GlobPattern.parse("/data/**/tenants/*.db").variableNames());
        assertEquals(List.of("#1"), GlobPattern.parse("/data/tenants/**/*.db").variableNames());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "tenants, tenant", "databases, database", "branches, branch", "projects, project", "apps, app",
            "entries, entry", "boxes, box", "wishes, wish", "classes, class", "users, user",
    })
    void singular_followsTheDocumentedRules(String plural, String singular) {
        assertEquals(singular, GlobPatternParser.singular(plural));
    }

    @ParameterizedTest
    @CsvSource({"data", "db", "access", "s", "ies"})
    void singular_isNullForNamesThatAreNotPlural(String name) {
        assertNull(GlobPatternParser.singular(name));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "''| must not be empty",
            "data/*.db| must be absolute",
            "/| must name files",
            "/data//x.db| segment 2 is empty",
            "/data/| segment 2 is empty",
            "/data/../x.db| is '..'",
            "/data/./x.db| is '.'",
            "/data/**| must end in a file name",
            "/data/a**/x.db| '**' must be a whole segment",
            "/data/[ab/x.db| unbalanced '['",
            "/data/ab]/x.db| unbalanced ']'",
            "/data/[]/x.db| empty character set",
            "/data/[z-a]/x.db| invalid character set",
            "/data/{tenant/x.db| unbalanced '{'",
            "/data/{a{b}/x.db| unbalanced '{'",
            "/data/tenant}/x.db| unbalanced '}'",
            "/data/{}/x.db| is not a name",
            "/data/{1x}/x.db| is not a name",
            "/data/{t}/{t}.db| named capture {t} is used twice",
    })
    void parse_rejectsInvalidPatternsSayingWhatIsWrong(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GlobPattern.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void matches_bindsCapturesOfAWholePath() {
        PatternMatcher m = new PatternMatcher(GlobPattern.parse("/data/{project}/databases/*/tenants/{tenant}.db"));
        assertTrue(m.matches(Path.of("/data/acme/databases/main/tenants/t1.db")));
        assertEquals(Map.of("project", "acme", "database", "main", "tenant", "t1"), m.variables());
        assertFalse(m.matches(Path.of("/data/acme/databases/main/tenants/t1.sqlite")));
        assertFalse(m.matches(Path.of("/data/acme/databases/main/tenants/x/t1.db")));
    }

    @Test
    void matches_letsAnyDirectoriesTakeZeroOrMoreDirectoriesButNeverTheFile() {
        PatternMatcher m = new PatternMatcher(GlobPattern.parse("/data/**/tenants/*.db"));
        assertTrue(m.matches(Path.of("/data/tenants/a.db")));
        assertTrue(m.matches(Path.of("/data/x/y/z/tenants/a.db")));
        assertEquals(Map.of("tenant", "a"), m.variables());
        assertFalse(m.matches(Path.of("/data/x/a.db")));
        PatternMatcher any = new PatternMatcher(GlobPattern.parse("/data/**/*.db"));
        assertTrue(any.matches(Path.of("/data/a.db")));
        assertFalse(any.matches(Path.of("/data")));
    }
}
