package dev.pmtud.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test class's {@code main} in a fresh JVM with other JIT options (for example C1 only, which
 * the daemon may ship with and which has no escape analysis), on this JVM's class path.
 */
public final class ForkedJvm {
    private ForkedJvm() {
    }

    /** Runs {@code main} and fails the calling test with the child's output unless it exits with 0. */
    public static String run(Class<?> main, List<String> jvmOptions, long timeoutSeconds)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        boolean ended = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ended, main.getSimpleName() + " " + jvmOptions + " did not end within " + timeoutSeconds + " s: " + output);
        assertEquals(0, process.exitValue(), main.getSimpleName() + " " + jvmOptions + " failed: " + output);
        return output;
    }
}
