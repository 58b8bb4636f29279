/** Test fixtures and contract suites shared by Litefleet's modules. Never shipped. */
module io.litefleet.testkit {
    requires transitive io.litefleet.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires transitive java.sql;
    requires java.logging;
    requires org.xerial.sqlitejdbc;
    requires java.net.http;

    exports io.litefleet.testkit;
    exports io.litefleet.testkit.server;
}
