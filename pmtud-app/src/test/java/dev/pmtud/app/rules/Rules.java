package dev.pmtud.app.rules;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Cli;
import java.util.Optional;

/**
 * The capture rule the app manages for a configuration, found the way the commands find it
 * ({@link Bootstrap#build}): the {@code rules:} block, then the runtime built from the whole
 * configuration (never started), whose nflog source gives the group and whose cluster networks are
 * the default exclusions.
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
}
