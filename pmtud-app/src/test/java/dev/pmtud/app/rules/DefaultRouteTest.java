package dev.pmtud.app.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pmtud.sys.DefaultRoute;
import dev.pmtud.testkit.Netns;
import org.junit.jupiter.api.Test;

/**
 * The default route the managed rule falls back to is the calling thread's namespace's (the
 * parsing of /proc's tables is tested in pmtud-native, where {@link DefaultRoute} lives).
 */
class DefaultRouteTest {

    @Test
    void readsTheCallingThreadsNamespace() throws Exception {
        Netns.assumeRoot();
        try (Netns a = Netns.create("route"); Netns b = Netns.create("route")) {
            Netns.veth(a, "up0", b, "up1");
            a.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "up0");
            a.exec("ip", "route", "add", "default", "via", "192.0.2.254", "dev", "up0");
            assertEquals("up0", a.call(DefaultRoute::interfaceName));
            assertNull(b.call(DefaultRoute::interfaceName), "no default route there");
        }
    }
}
