package dev.pmtud.app.rules;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.StartupException;
import dev.pmtud.core.NodeRuntime;
import java.util.Set;

/**
 * The managed NFLOG rule must never log what a sink injects ({@link dev.pmtud.api.Sink#injectsInto()}):
 * an injected copy logged again would be relayed again, a loop. The rule is bound to one interface
 * ({@code -i}); when any sink injects, that interface must be another device. A configured
 * {@code rules.interface} is checked with the configuration; the default route's, only known at
 * start, is checked then.
 */
public final class ManagedRuleCheck {
    private ManagedRuleCheck() {
    }

    /** @throws dev.pmtud.api.ConfigException at {@code rules.interface} when it names an inject device */
    public static void checkConfigured(RuleManager rules, NodeRuntime runtime) {
        Set<String> injected = runtime.injectDevices();
        if (rules == null || !rules.managed() || injected.isEmpty()) {
            return;
        }
        String iface = rules.configuredInterface().orElse(null);
        if (iface != null && injected.contains(iface)) {
            ConfigNode block = runtime.settings().rules();
            ConfigNode at = block.get("interface") != null ? block.get("interface") : block;
            throw at.error("rules: 'interface' is " + iface + ", a device a sink injects relayed packets into " + injected
                    + "; the rule would log them again (a loop); bind the rule to the uplink, like interface: eth0");
        }
    }

    /**
     * Resolves the rule's interface (the default route's when none is configured) and refuses it
     * when a sink injects into it.
     *
     * @throws StartupException naming the interface and how to fix it
     */
    public static void checkAtStart(RuleManager rules, NodeRuntime runtime) {
        Set<String> injected = runtime.injectDevices();
        if (rules == null || !rules.managed() || injected.isEmpty()) {
            return;
        }
        String iface;
        try {
            iface = rules.interfaceName();
        } catch (RuleException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (injected.contains(iface)) {
            throw new StartupException("rules: the managed rule would be bound to " + iface + " (the default route's interface),"
                    + " a device a sink injects relayed packets into " + injected + ", and log them again (a loop);"
                    + " set rules.interface to the uplink, like eth0");
        }
    }
}
