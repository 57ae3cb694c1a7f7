package dev.pmtud.core.filter;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;

/** Creates filters from config blocks with a bare context (one per filter), as the runtime would. */
final class FilterFactories {
    private FilterFactories() {
    }

    static Filter create(FilterFactory factory, ConfigNode block) {
        return create(factory, block, new TestContext());
    }

    static Filter create(FilterFactory factory, ConfigNode block, TestContext context) {
        ComponentConfig config = Cfg.component("filters", block);
        config.checkKeys(factory.keys());
        return factory.create(config, context);
    }
}
