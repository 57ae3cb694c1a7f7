package dev.pmtud.sink.raw;

import static dev.pmtud.sink.raw.Wire.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import java.io.IOException;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Configuration and loop-safety checks: no kernel involved. */
class RawSinkConfigTest {

    @Test
    void registeredAsAServiceUnderTypeRaw() {
        boolean found = ServiceLoader.load(SinkFactory.class).stream()
                .anyMatch(p -> p.type() == RawSinkFactory.class && p.get().type().equals("raw"));
        assertTrue(found);
    }

    @Test
    void l3RefusesToOpenWithoutAnyExclusion() {
        TestContext ctx = Sinks.context(List.of(ip("192.0.2.2")), List.of());
        RawSink sink = Sinks.create(ctx, "mode", "l3");
        ConfigException e = assertThrows(ConfigException.class, sink::open);
        assertTrue(e.getMessage().startsWith(Cfg.FILE + ":2: "), e.getMessage());
        assertTrue(e.getMessage().contains("no source network is excluded"), e.getMessage());
        assertTrue(e.getMessage().contains("exclude-networks") && e.getMessage().contains("rules.exclude-sources"), e.getMessage());
    }

    @Test
    void l3NamesThePeersNoExclusionCovers() {
        TestContext ctx = Sinks.context(List.of(ip("192.0.2.2"), ip("198.51.100.3"), ip("2001:db8:1::4")),
                List.of(Cidr.parse("192.0.2.0/24")));
        RawSink sink = Sinks.create(ctx, "mode", "l3");
        ConfigException e = assertThrows(ConfigException.class, sink::open);
        assertTrue(e.getMessage().contains("peers 198.51.100.3, 2001:db8:1::4 are not inside"), e.getMessage());
        assertTrue(!e.getMessage().contains("192.0.2.2,"), e.getMessage());
    }

    @Test
    void otherModesNeedNoExclusion() {
        TestContext ctx = Sinks.context(List.of(ip("192.0.2.2")), List.of());
        // it gets past the loop check and fails on the interface instead
        RawSink sink = Sinks.create(ctx, "mode", "ipip", "interface", "nosuch0");
        IOException e = assertThrows(IOException.class, sink::open);
        assertEquals("sinks[0] (raw): interface 'nosuch0' does not exist here (`ip link` lists the interfaces); "
                + "set interface: to one of them", e.getMessage());
    }

    @Test
    void configurationMistakesNameTheKey() {
        TestContext ctx = Sinks.context(List.of(), List.of());
        assertTrue(assertThrows(ConfigException.class, () -> Sinks.create(ctx, "mode", "l4")).getMessage()
                .contains("'mode' is 'l4'; allowed: l3, l2-unicast, l2-broadcast, ipip"));
        assertTrue(assertThrows(ConfigException.class, () -> Sinks.create(ctx, "mode", "l2-broadcast", "ttl", "3")).getMessage()
                .contains("'ttl' does not apply to mode l2-broadcast"));
        assertTrue(assertThrows(ConfigException.class, () -> Sinks.create(ctx, "mode", "l3", "ttl", "0")).getMessage()
                .contains("'ttl' is 0; it must be from 1 to 255"));
        assertTrue(assertThrows(ConfigException.class, () -> Sinks.create(ctx, "mode", "l3", "iface", "eth0")).getMessage()
                .contains("unknown key 'iface'"));
        assertTrue(assertThrows(ConfigException.class, () -> Sinks.create(ctx, "mode", "l3", "source", "eth0")).getMessage()
                .contains("'source'"));
    }

    @Test
    void defaultsFollowTheMode() {
        TestContext ctx = Sinks.context(List.of(), List.of());
        RawSink l3 = Sinks.create(ctx);
        assertEquals(Mode.L3, l3.mode());
        assertNull(l3.loopGuard(), "l3 needs no loop guard of its own: the exclusion is the guard");
        assertNull(Sinks.create(ctx, "mode", "ipip").loopGuard());
    }
}
