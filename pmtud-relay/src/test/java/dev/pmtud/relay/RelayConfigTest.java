package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pmtud.api.ConfigException;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The three factories' keys: defaults, accepted spellings and one-line errors at file:line. */
class RelayConfigTest {

    private static String error(Runnable r) {
        return assertThrows(ConfigException.class, r::run).getMessage();
    }

    @Test
    void listenDefaultsToEveryAddressOnPort4390AndTakesBothFamilies() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("::"), 4390),
                UdpSourceFactory.listen(Cfg.component("sources", "udp")));
        assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 4391),
                UdpSourceFactory.listen(Cfg.component("sources", "udp", "listen", "0.0.0.0:4391")));
        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 4390),
                UdpSourceFactory.listen(Cfg.component("sources", "udp", "listen", "[2001:db8::1]:4390")));
        assertEquals("pmtud.yaml:2: sources[0] (udp): 'listen' is '2001:db8::1:4390'; write ADDRESS:PORT with IPv6 in "
                + "brackets, like \"[::]:4390\" (every address, both families) or \"0.0.0.0:4390\" (IPv4 only)",
                error(() -> UdpSourceFactory.listen(Cfg.component("sources", "udp", "listen", "2001:db8::1:4390"))));
        assertEquals("pmtud.yaml:2: sources[0] (udp): 'listen' has port '99999'; it must be from 1 to 65535 (4390 is go-pmtud's)",
                error(() -> UdpSourceFactory.listen(Cfg.component("sources", "udp", "listen", "[::]:99999"))));
        assertEquals("pmtud.yaml:2: sources[0] (udp): 'listen' has 'pmtud.local', which is not an IP address; write "
                + "ADDRESS:PORT like \"[::]:4390\"",
                error(() -> UdpSourceFactory.listen(Cfg.component("sources", "udp", "listen", "pmtud.local:4390"))));
    }

    @Test
    void maxAgeIsBoundedAndNeedsAKey() {
        assertEquals("pmtud.yaml:3: sources[0] (udp): 'max-age' is 1ms; it must be from 10ms to 1h (it bounds how far a "
                + "datagram's timestamp may be from this node's clock)",
                error(() -> new UdpSourceFactory().create(Cfg.component("sources", "udp", "key-file", "/k", "max-age", "1ms"),
                        new TestContext())));
        assertEquals("pmtud.yaml:2: sources[0] (udp): 'max-age' applies to signed datagrams only; set key-file: too, "
                + "or remove max-age",
                error(() -> new UdpSourceFactory().create(Cfg.component("sources", "udp", "max-age", "5s"), new TestContext())));
    }

    @Test
    void sinkPortAndInjectDeviceAndAddressAreChecked() {
        assertEquals("pmtud.yaml:2: sinks[0] (udp): 'port' is 0; it must be from 1 to 65535",
                error(() -> new UdpSinkFactory().create(Cfg.component("sinks", "udp", "port", "0"), new TestContext())));
        assertEquals("pmtud.yaml:2: sinks[0] (inject): 'device' is 'a-name-far-too-long'; it must be an interface name "
                + "of 1 to 15 letters, digits, '-', '_' or '.', like pmtud0",
                error(() -> new InjectSinkFactory().create(Cfg.component("sinks", "inject", "device", "a-name-far-too-long"),
                        new TestContext())));
        assertEquals("pmtud.yaml:2: sinks[0] (inject): 'address' is '2001:db8::1/128'; it must be an IPv4 address with a "
                + "prefix of 1 to 32, like 169.254.254.1/32 (reverse-path filtering drops what arrives on a device without "
                + "an IPv4 address)",
                error(() -> new InjectSinkFactory().create(Cfg.component("sinks", "inject", "address", "2001:db8::1/128"),
                        new TestContext())));
        assertEquals(java.util.Set.of("pmtud0"),
                new InjectSinkFactory().create(Cfg.component("sinks", "inject"), new TestContext()).injectsInto(),
                "the default device, named before open so that the runtime can check loops");
    }
}
