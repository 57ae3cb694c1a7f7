package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default route's interface from /proc, as the kernel writes those tables. (That it reads the
 * calling thread's namespace is tested where namespaces are at hand: pmtud-app's DefaultRouteTest.)
 */
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
        assertEquals("eth1", DefaultRoute.ipv4(List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                "eth2\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0",
                "eth1\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0")));
        assertNull(DefaultRoute.ipv4(List.of("eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0")));
    }

    @Test
    void ipv6SkipsLoopbackRejectRoutes() {
        List<String> route = List.of(
                "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0",
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo",
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth2");
        assertEquals("eth2", DefaultRoute.ipv6(route));
        assertNull(DefaultRoute.ipv6(route.subList(0, 2)));
        assertEquals("eth0", DefaultRoute.ipv6(List.of(
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0",
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo")));
    }

    @Test
    void linesThatAreNoRoutesAreSkippedNotFatal() {
        assertNull(DefaultRoute.ipv4(List.of("eth0\t00000000\t010200C0\tzz\t0\t0\tx\t00000000")));
        assertEquals("eth1", DefaultRoute.ipv4(List.of(
                "eth0\t00000000\t010200C0\tzz\t0\t0\tx\t00000000",
                "eth1\t00000000\t010200C0\t0003\t0\t0\t5\t00000000\t0\t0\t0")));
        assertNull(DefaultRoute.ipv6(List.of(
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 nothex 00000001 00000000 00000003 eth0")));
    }
}
