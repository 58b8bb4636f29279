/** Discovery of databases by glob patterns with named captures (arrives with the fleet issue). */
package io.litefleet.discovery.glob;
