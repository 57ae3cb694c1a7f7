package dev.pmtud.it;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs test classes of this module from the built test classpath, without a Maven build:
 * {@code scripts/check-image.sh} uses it for {@link ImageE2eTest}, which a whole reactor build
 * would take minutes to reach. Prints JUnit's summary and "N passed, N failed"; exits 1 when a
 * test failed or none ran.
 */
public final class RunTests {
    private RunTests() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        if (args.length == 0) {
            System.err.println("usage: RunTests CLASS...   (fully qualified test class names)");
            System.exit(2);
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : args) {
            request.selectors(selectClass(Class.forName(name)));
        }
        LauncherDiscoveryRequest built = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(built, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 40);
        summary.printTo(out);
        long failed = summary.getTotalFailureCount();
        out.println(summary.getTestsSucceededCount() + " passed, " + failed + " failed, " + summary.getTestsSkippedCount() + " skipped");
        System.exit(failed == 0 && summary.getTestsSucceededCount() > 0 ? 0 : 1);
    }
}
