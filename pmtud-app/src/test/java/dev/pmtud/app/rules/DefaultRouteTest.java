package dev.pmtud.app.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pmtud.testkit.Netns;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default route's interface from /proc, as the kernel writes those tables. */
class DefaultRouteTest {

    @Test
    void ipv4PicksTheLowestMetricDefaultThatIsUp() {
        List<String> route = List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "bond0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
                "eth1\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0",
                "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
                "eth9\t00000000\t010200C0\t0002\t0\t0\t1\t00000000\t0\t0\t0");
        assertEquals("eth0", DefaultRoute.ipv4(route));
        assertNull(DefaultRoute.ipv4(route.subList(0, 2)), "no default route");
        assertNull(DefaultRoute.ipv4(List.of()));
    }

    @Test
    void ipv6SkipsLoopbackRejectRoutes() {
        List<String> route = List.of(
                "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0",
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo",
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth2");
        assertEquals("eth2", DefaultRoute.ipv6(route));
        assertNull(DefaultRoute.ipv6(route.subList(0, 2)));
    }

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
