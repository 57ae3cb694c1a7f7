package dev.pmtud.app.cli;

import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.Cli;
import dev.pmtud.app.Daemon;
import dev.pmtud.app.Main;
import dev.pmtud.app.config.YamlConfigLoader;
import dev.pmtud.app.gopmtud.GoPmtudConfig;
import dev.pmtud.app.gopmtud.GoPmtudFlags;
import dev.pmtud.app.log.Logging;
import java.nio.file.Path;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code pmtud}: the global options, shared by every sub-command. */
@Command(name = "pmtud", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Replicates ICMP fragmentation-needed / packet-too-big messages to the other ECMP nodes,"
                + " so that the node holding the connection learns the path MTU.",
        subcommands = {RunCommand.class, ReplayCommand.class, ValidateCommand.class, PluginsCommand.class, KeygenCommand.class,
                RulesCommand.class, ConfigFromFlagsCommand.class, picocli.CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 ok, 1 could not start or failed, 2 bad configuration or command line."})
public final class PmtudCommand implements java.util.concurrent.Callable<Integer> {
    private final Cli cli;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--plugin-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Directory of plugin jars (default: plugins/ next to the distribution).")
    Path pluginDir;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info, debug or trace (default: ${DEFAULT-VALUE}).")
    void logLevel(String word) {
        try {
            level = Logging.parseLevel(word);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Logging.configure(level, cli.err());
    }

    private Level level = Level.INFO;

    public PmtudCommand(Cli cli) {
        this.cli = cli;
        Logging.configure(level, cli.err());
    }

    public Cli cli() {
        return cli;
    }

    /** Whether the log level is debug or finer (then errors come with their stack trace). */
    public boolean debug() {
        return level.intValue() <= Level.FINE.intValue();
    }

    /**
     * What every command starts from: this process, and the plugin directory to load ({@code
     * --plugin-dir}, else {@code plugins/} of the distribution, else none).
     */
    Bootstrap bootstrap() {
        if (pluginDir != null) {
            return new Bootstrap(cli, pluginDir, true);
        }
        String home = System.getProperty("pmtud.home");
        return new Bootstrap(cli, home == null ? null : Path.of(home, "plugins"), false);
    }

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%ngo-pmtud drop-in (no configuration file):%n")
    GoPmtudFlags goPmtud;

    /**
     * Without a command: go-pmtud's flags (or {@code PMTUD_*} variables) run the configuration they
     * describe, the one {@code config-from-flags} prints; nothing prints the usage.
     */
    @Override
    public Integer call() throws Exception {
        GoPmtudFlags flags = goPmtud != null ? goPmtud : new GoPmtudFlags();
        if (!flags.given(cli.environment())) {
            spec.commandLine().usage(cli.out());
            return Main.OK;
        }
        GoPmtudConfig config = flags.config(cli.environment());
        String yaml = config.yaml(true);
        for (String note : config.notes()) {
            GO_PMTUD_LOG.log(System.Logger.Level.INFO, note);
        }
        if (config.unauthenticatedRelay()) {
            GO_PMTUD_LOG.log(System.Logger.Level.WARNING, "the udp relay is unauthenticated, as go-pmtud's: anyone who can send"
                    + " from a peer's address can inject messages; to sign it, run `pmtud keygen --output /etc/pmtud/relay.key` once,"
                    + " give every node that file (mode 0600) and add --relay-key-file=/etc/pmtud/relay.key on every node");
        }
        Bootstrap boot = bootstrap();
        dev.pmtud.api.ConfigNode root = new YamlConfigLoader(name -> null).parse(GoPmtudFlags.WHERE, yaml);
        return new Daemon(boot, root, false).run();
    }

    private static final System.Logger GO_PMTUD_LOG = System.getLogger("dev.pmtud.app.gopmtud.GoPmtudFlags");
}
