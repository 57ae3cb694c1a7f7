package dev.pmtud.app.cli;

import dev.pmtud.api.ConfigException;
import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Main;
import dev.pmtud.app.StartupException;
import dev.pmtud.app.rules.RuleException;
import dev.pmtud.app.rules.RuleManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pmtud rules print|ensure|remove --config FILE}: the capture rule of the {@code rules:} block, by hand. */
@Command(name = "rules", description = "Print, install (ensure) or remove the NFLOG capture rule (nftables or iptables) the rules: block describes.")
final class RulesCommand implements Callable<Integer> {
    enum Action { print, ensure, remove }

    @ParentCommand
    PmtudCommand top;

    @Parameters(index = "0", paramLabel = "ACTION", description = "print, ensure or remove.")
    Action action;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Override
    public Integer call() {
        Bootstrap boot = top.bootstrap();
        // Built (never started) to learn the NFLOG group the nflog source reads and the cluster's networks.
        RuleManager rules;
        try (Bootstrap.Built built = boot.build(config)) {
            rules = built.rules().orElseThrow(() -> new ConfigException(config.toString(), 0,
                    "has no rules: block; add one like rules: { manage: true } next to an nflog source"));
        }
        try {
            if (action == Action.print) {
                rules.commands("print").forEach(top.cli().out()::println);
                return Main.OK;
            }
            if (action == Action.ensure) {
                rules.ensure();
            } else {
                rules.remove();
            }
        } catch (RuleException e) {
            throw new StartupException(e.getMessage(), e);
        }
        top.cli().out().println(action + ": done (" + rules + ")");
        return Main.OK;
    }
}
