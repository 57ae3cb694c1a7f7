package dev.pmtud.core.peers;

import static dev.pmtud.testkit.Cfg.block;
import static dev.pmtud.testkit.Cfg.list;
import static dev.pmtud.testkit.Cfg.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaticPeerProviderFactoryTest {

    private static PeerProvider create(ConfigNode block) {
        return new StaticPeerProviderFactory().create(Cfg.component("peers", block), new TestContext());
    }

    @Test
    void reportsTheListOnceAtStart() throws Exception {
        List<Set<InetAddress>> reports = new ArrayList<>();
        try (PeerProvider p = create(block(1, "static", "addresses", list(2, "198.51.100.2", "2001:db8::2")))) {
            p.start(new PeerListener() {
                @Override
                public void peersChanged(Set<InetAddress> peers) {
                    reports.add(peers);
                }

                @Override
                public void refreshFailed(String reason, String detail) {
                    throw new AssertionError(reason);
                }
            });
        }
        assertEquals(List.of(Set.of(InetAddress.getByName("198.51.100.2"), InetAddress.getByName("2001:db8::2"))), reports);
    }

    @Test
    void refusesNamesAndEmptyListsWithTheirLine() {
        ConfigException name = assertThrows(ConfigException.class,
                () -> create(block(1, "static", "addresses", list(2, s(3, "198.51.100.2"), s(4, "peer.example")))));
        assertTrue(name.getMessage().startsWith("pmtud.yaml:4: "), name.getMessage());
        ConfigException empty = assertThrows(ConfigException.class, () -> create(block(5, "static")));
        assertTrue(empty.getMessage().startsWith("pmtud.yaml:5: "), empty.getMessage());
        assertTrue(empty.getMessage().contains("addresses"), empty.getMessage());
    }
}
