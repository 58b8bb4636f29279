package io.litefleet.core.file;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * Lists the files under a root whose keys start with a prefix. Walks only the deepest directory the prefix names
 * and the sub-directories that can still match, never follows or reports symbolic links, skips temp files, and
 * tolerates files vanishing during the walk (a concurrent delete is not an error).
 */
final class FileListing {
    private FileListing() {
    }

    static List<ObjectInfo> list(Path root, String prefix, String tempSuffix) throws ReplicaException {
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        List<ObjectInfo> out = new ArrayList<>();
        try {
            // A directory not made yet (a tenant's first capture) answers null without an exception being built.
            if (start.getFileSystem().provider().readAttributesIfExists(start, BasicFileAttributes.class) == null
                    || !Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS) || !start.toRealPath().startsWith(root)) {
                return List.of(); // also when an intermediate directory is a link: we never follow those
            }
            Files.walkFileTree(start, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (dir.equals(start)) {
                                return FileVisitResult.CONTINUE;
                            }
                            String dirKey = key(root, dir) + "/";
                            return dirKey.startsWith(prefix) || prefix.startsWith(dirKey)
                                    ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && !file.getFileName().toString().endsWith(tempSuffix)) {
                                String key = key(root, file);
                                if (key.startsWith(prefix)) {
                                    out.add(ObjectInfo.of(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
                                }
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            if (e instanceof NoSuchFileException) {
                                return FileVisitResult.CONTINUE;
                            }
                            throw e;
                        }
                    });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw FileErrors.map("list", root.resolve(prefix), e);
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return List.copyOf(out);
    }

    private static String key(Path root, Path file) {
        String rel = root.relativize(file).toString();
        return file.getFileSystem().getSeparator().equals("/") ? rel : rel.replace(file.getFileSystem()
                .getSeparator(), "/");
    }
}
