package dev.wakefd.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the wakefd checkout is: ./wakefd passes it as -Dwakefd.home; otherwise found from the jar. */
final class Home {
    private Home() {}

    static Path find() {
        String prop = System.getProperty("wakefd.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        try {
            Path p = Path.of(Home.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("wakefd-core"))) {
                    return p;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall back to the working directory
        }
        return Path.of("").toAbsolutePath();
    }
}
