package dev.pmtud.app.cli;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ComponentFactory;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.Source;
import dev.pmtud.app.Bootstrap;
import dev.pmtud.app.DecisionPrinter;
import dev.pmtud.app.Main;
import dev.pmtud.app.StartupException;
import dev.pmtud.app.SummaryJson;
import dev.pmtud.app.rules.RuleSettings;
import dev.pmtud.core.NodeRuntime;
import dev.pmtud.core.NodeRuntimeBuilder;
import dev.pmtud.core.Pipeline;
import dev.pmtud.core.PipelineConfig;
import dev.pmtud.core.PluginRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pmtud replay}: one pipeline's filters on a capture instead of its sources, printing each
 * decision. Time is the capture's, so dedup windows and rate limits decide as they did live. With
 * several pipelines, {@code --pipeline NAME} picks the one; only it is built.
 */
@Command(name = "replay", description = "Run a pipeline's filters on a pcap capture instead of its sources;"
        + " prints one line per decision, then a summary.")
final class ReplayCommand implements Callable<Integer> {
    /** The plugin type both replacements come from: the input reader and the output writer. */
    static final String PCAP_FILE = "pcap-file";

    @ParentCommand
    PmtudCommand top;

    @Spec
    CommandSpec spec;

    @Option(names = "--pipeline", paramLabel = "NAME", description = "The pipeline to replay; required when the configuration has several.")
    String pipelineName;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Option(names = "--input", required = true, paramLabel = "IN.pcap", description = "The capture to replay (Ethernet, raw IP or Linux cooked).")
    Path input;

    @Option(names = "--output", paramLabel = "OUT.pcap", description = "Write forwarded packets here (raw-IP pcap) instead of the configured sinks.")
    Path output;

    @Option(names = "--summary-json", paramLabel = "S.json", description = "Also write the counts as JSON: received, invalid, dropped (filter -> count), forwarded.")
    Path summaryJson;

    @Option(names = "--quiet", description = "Print only the summary, not each decision.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Bootstrap boot = top.bootstrap();
        ConfigNode root = boot.loadConfig(config);
        Optional<RuleSettings> rules = RuleSettings.read(root); // the replaced sources read no NFLOG group: only the block is checked
        List<String> names = PipelineConfig.names(root);
        String chosen = choose(names);
        PluginRegistry registry = boot.registry();
        // Both plugins are looked up now, so that a missing one is reported before the configuration is built.
        ComponentFactory<?> reader = pcapFile(registry, PluginRegistry.SOURCE, "--input");
        NodeRuntimeBuilder builder = boot.builder(root, rules).pipeline(chosen)
                .replaceSources(context -> List.of(create(reader, "--input", input, context, Source.class)));
        if (output != null) {
            ComponentFactory<?> writer = pcapFile(registry, PluginRegistry.SINK, "--output");
            builder.replaceSinks(context -> List.of(create(writer, "--output", output, context, Sink.class)));
        }
        DecisionPrinter printer = new DecisionPrinter(top.cli().out(), names.size() > 1);
        if (!quiet) {
            builder.onDecision(printer::decided);
        }
        NodeRuntime runtime = builder.build();
        try {
            try {
                runtime.start();
            } catch (IOException e) {
                throw new StartupException(e.getMessage(), e);
            }
            while (!runtime.awaitSources(Duration.ofMillis(200))) {
                if (top.cli().stop().triggered()) {
                    break;
                }
            }
        } finally {
            runtime.close(); // flushes the output before the summary is read
        }
        Pipeline.Summary s = runtime.pipeline(chosen).orElseThrow().summary();
        top.cli().out().println((names.size() > 1 ? "pipeline " + chosen + " " : "") + SummaryJson.text(s));
        if (summaryJson != null) {
            try {
                Files.writeString(summaryJson, SummaryJson.format(s), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new StartupException("cannot write the summary to " + summaryJson + ": " + e.getMessage(), e);
            }
        }
        return Main.OK;
    }

    /** The pipeline to replay: {@code --pipeline}, or the only one; a bad or missing choice is a command-line error. */
    private String choose(List<String> names) {
        if (pipelineName == null) {
            if (names.size() > 1) {
                throw new ParameterException(spec.commandLine(), "the configuration has several pipelines ("
                        + String.join(", ", names) + "); pick one with --pipeline NAME");
            }
            return names.get(0);
        }
        if (!names.contains(pipelineName)) {
            throw new ParameterException(spec.commandLine(), "--pipeline: the configuration has no pipeline named '"
                    + pipelineName + "'; its pipelines: " + String.join(", ", names));
        }
        return pipelineName;
    }

    /** The registry's pcap-file source or sink factory, which replay {@code option} needs. */
    private static ComponentFactory<?> pcapFile(PluginRegistry registry, String kind, String option) {
        return registry.find(kind, PCAP_FILE)
                .orElseThrow(() -> new StartupException("replay " + option + " needs the " + PCAP_FILE + " " + kind
                        + " plugin, which is not installed; check the distribution's lib/ (pmtud plugins lists what is there)"))
                .factory();
    }

    /**
     * A pcap-file source or sink configured as if written {@code { type: pcap-file, path: P }}, with
     * the pipeline's own context (it is called while the pipeline is built).
     */
    private static <T> T create(ComponentFactory<?> factory, String option, Path path, PipelineContext context,
                                Class<T> type) {
        String where = "command line";
        ConfigNode block = ConfigNode.map(where, 0, Map.of(
                "type", ConfigNode.scalar(where, 0, PCAP_FILE),
                "path", ConfigNode.scalar(where, 0, path.toString())));
        return type.cast(factory.create(new ComponentConfig(block, option), context));
    }
}
