package dev.pmtud.app.rules;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Cli;
import dev.pmtud.sys.NativeException;
import dev.pmtud.sys.nftables.NftClient;
import dev.pmtud.sys.nftables.NftMonitor;
import dev.pmtud.testkit.Netns;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The capture rule the app manages for a configuration, found the way the commands find it
 * ({@link Bootstrap#build}): the {@code rules:} block, then the runtime built from the whole
 * configuration (never started), whose nflog source gives the group and whose cluster networks are
 * the default exclusions. Each manager is an owner of its own, as two pmtud processes would be.
 */
final class Rules {
    private Rules() {
    }

    /** Empty when the configuration has no {@code rules:} block. */
    static Optional<RuleManager> fromConfig(ConfigNode root) {
        try (Bootstrap.Built built = new Bootstrap(Cli.system(), null, false).build(root, builder -> { })) {
            return built.rules();
        }
    }

    /** {@code m} speaking nftables and reading its notifications inside {@code ns}. */
    static RuleManager nftablesIn(Netns ns, RuleManager m) {
        return m.withNftables(() -> inside(ns, NftClient::open)).withNotifications(() -> inside(ns, NftMonitor::open));
    }

    /** {@code m} running iptables through {@code ip netns exec} and reading nf_tables notifications inside {@code ns}. */
    static RuleManager iptablesIn(Netns ns, RuleManager m, String v4, String v6) {
        return m.withCommandPrefix(List.of("ip", "netns", "exec", ns.name()), v4, v6).withNotifications(() -> inside(ns, NftMonitor::open));
    }

    private static <T> T inside(Netns ns, Callable<T> open) throws NativeException {
        try {
            return ns.call(open);
        } catch (NativeException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
