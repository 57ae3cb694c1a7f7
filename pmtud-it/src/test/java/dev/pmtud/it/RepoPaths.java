package dev.pmtud.it;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the source tree and this build's output directories are, seen from a running test. */
final class RepoPaths {
    private RepoPaths() {
    }

    /** The reactor root: the nearest parent of the working directory holding deploy/ and pom.xml. */
    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/kubernetes")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the pmtud source tree (deploy/kubernetes) above " + Path.of("").toAbsolutePath());
    }

    /**
     * The name of this build's output directory ({@code target}, or {@code -Dpmtud.build.dir}),
     * read from where this class was loaded: {@code <module>/<build dir>/test-classes}.
     */
    static String buildDirName() {
        try {
            Path classes = Path.of(RepoPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().getFileName().toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
