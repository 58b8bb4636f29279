package io.litefleet.discovery.glob;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * How a {@link GlobWatcher} gets its {@link WatchService} and registers directories with it. The seam exists so
 * tests can make registration fail the way a full inotify watch table does.
 */
interface WatchSupport {

    /** The default file system's watch service (inotify on Linux); creation, modification and deletion events. */
    WatchSupport DEFAULT = new WatchSupport() {
        @Override
        public WatchService newWatchService() throws IOException {
            return FileSystems.getDefault().newWatchService();
        }

        @Override
        public WatchKey register(Path dir, WatchService service) throws IOException {
            return dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        }
    };

    /** A new watch service; the caller closes it. */
    WatchService newWatchService() throws IOException;

    /**
     * Registers {@code dir}. Registering a directory twice gives the same key.
     *
     * @throws IOException for example "User limit of inotify watches reached"
     */
    WatchKey register(Path dir, WatchService service) throws IOException;
}
