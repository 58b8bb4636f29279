/**
 * Discovery of SQLite databases by glob patterns, type {@code glob}. Provides a
 * {@link io.litefleet.api.discovery.DiscoveryProvider}; exports nothing.
 *
 * <h2>Patterns</h2>
 * Absolute, {@code /}-separated. Within one segment: {@code *} (any characters, possibly none), {@code ?} (one
 * character), {@code [abc]}, {@code [a-z]}, {@code [!abc]} (one character of a set; {@code [^abc]} too) and
 * {@code {name}} (a named capture of one or more characters: a whole segment or part of one, as in
 * {@code {tenant}.db}). {@code **} as a whole segment stands for zero or more directories. The last segment names
 * files and is never {@code **}. A backslash makes the next character literal ({@code \*}, {@code \[},
 * {@code \{}, {@code \\}), outside and inside {@code [...]}. Rejected: relative patterns, empty segments,
 * {@code .}/{@code ..}, unbalanced brackets or braces, a named capture used twice, {@code **} inside a segment.
 *
 * <h2>Variables</h2>
 * Every {@code *}, {@code ?}, {@code [...]} and {@code {name}} is a capture; {@code **} is not. A capture's variable
 * name is its {@code {name}}; otherwise the singular of the literal directory segment just before its segment
 * ({@code databases/*} gives {@code database}, {@code branches/*} {@code branch}, {@code tenants/*.db}
 * {@code tenant}, {@code entries/*} {@code entry}: {@code -ies} to {@code -y}; {@code -ches}, {@code -shes},
 * {@code -xes}, {@code -sses} drop {@code es}; {@code -ss} is not plural; another {@code -s} is dropped);
 * otherwise, or when that name is taken by a named capture or an earlier capture, {@code #k} with {@code k} the
 * capture's 1-based position among all captures of the pattern ({@code /data/*}{@code /x/*.db}: {@code #1},
 * {@code #2}).
 *
 * <h2>Scanning and watching</h2>
 * Only directories a pattern can match are entered; files named {@code -wal}, {@code -shm} or {@code -journal} are
 * never candidates, and a candidate is a database only when it is a regular file starting with
 * {@code "SQLite format 3\0"}. A database matched by several patterns belongs to the first one. Symlinks below a
 * pattern's leading literal directories are not followed. Watching uses the default {@code WatchService} (inotify)
 * on one daemon thread, {@code litefleet-watch-0}.
 */
package io.litefleet.discovery.glob;
