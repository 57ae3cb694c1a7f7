package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.source.nflog.NflogSettings;
import dev.pmtud.source.nflog.NflogSource;
import dev.pmtud.testkit.Await;
import dev.pmtud.testkit.Netns;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start refused because a running pmtud holds what it needs (the NFLOG group, the metrics port)
 * must leave that pmtud's capture rule alone: the rule belongs to whoever has bound its NFLOG group.
 * The "running pmtud" here is its rule (installed with {@code pmtud rules ensure}, as its start did)
 * plus what it holds; the refused daemon runs in-process inside the namespace.
 */
@Tag("netns")
class RefusedStartNetnsTest {
    private static final String GROUP = "33";

    @TempDir
    Path dir;

    private Path config(String metrics) throws Exception {
        return config(metrics, "auto");
    }

    private Path config(String metrics, String backend) throws Exception {
        Path config = dir.resolve("pmtud.yaml");
        Files.writeString(config, """
                node: refused
                metrics: %s
                sources: [ { type: nflog, group: %s } ]
                sinks: [ { type: log } ]
                rules: { manage: true, interface: eth0, backend: %s }
                """.formatted(metrics, GROUP, backend));
        return config;
    }

    /** The running instance's rule: table inet pmtud with its two rules (one per family), with their handles. */
    private static String table(Netns ns) {
        return ns.execAllowingFailure("nft", "-a", "list", "table", "inet", "pmtud").stdout();
    }

    /** The running instance's rules with the iptables backend: the raw table of both families. */
    private static String iptables(Netns ns) {
        return ns.exec("iptables", "-t", "raw", "-S").stdout() + ns.exec("ip6tables", "-t", "raw", "-S").stdout();
    }

    private static void assertRuleInPlace(Netns ns, String before, CliRunner.Result refused) {
        String after = table(ns);
        assertEquals(2, after.lines().filter(l -> l.contains("log group " + GROUP)).count(), "the running instance's rule: " + after);
        assertEquals(before, after, "the refused start must not touch the running instance's table; " + refused);
    }

    /** What the running instance holds: its nflog source, bound to the group. */
    private static NflogSource bindGroup(Netns ns) throws Exception {
        return ns.call(() -> {
            NflogSource s = new NflogSource(NflogSettings.defaults(Integer.parseInt(GROUP)), "nflog", System.getLogger("running"));
            s.open();
            return s;
        });
    }

    private static List<String> errorLines(CliRunner.Result r) {
        return r.err().lines().filter(l -> l.startsWith("pmtud: ")).toList();
    }

    @Test
    void refusedBecauseTheGroupIsBoundLeavesTheRuleOfTheOneThatBoundIt() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("refused")) {
            Path cfg = config("{ enabled: false }");
            assertEquals(Main.OK, ns.call(() -> CliRunner.run("rules", "ensure", "--config", cfg.toString())).status());
            String before = table(ns);
            NflogSource running = bindGroup(ns);
            try (running) {
                CliRunner.Result r = ns.call(() -> CliRunner.run("run", "--config", cfg.toString()));
                assertEquals(Main.FAILED, r.status(), r.toString());
                assertEquals(List.of("pmtud: NFLOG group " + GROUP + " is already bound by another process"), errorLines(r), r.toString());
                assertRuleInPlace(ns, before, r);
            }
        }
    }

    @Test
    void refusedBecauseTheGroupIsBoundLeavesIptablesRulesAloneToo() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("refused")) {
            Path cfg = config("{ enabled: false }", "iptables");
            assertEquals(Main.OK, ns.call(() -> CliRunner.run("rules", "ensure", "--config", cfg.toString())).status());
            String before = iptables(ns);
            assertEquals(2, before.lines().filter(l -> l.contains("--nflog-group " + GROUP)).count(), before);
            NflogSource running = bindGroup(ns);
            try (running) {
                CliRunner.Result r = ns.call(() -> CliRunner.run("run", "--config", cfg.toString()));
                assertEquals(Main.FAILED, r.status(), r.toString());
                assertEquals(before, iptables(ns), "the refused start must not touch the running instance's rules; " + r);
            }
        }
    }

    @Test
    void refusedBecauseTheMetricsPortIsTakenLeavesTheRuleAlone() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("refused")) {
            ServerSocket taken = ns.call(() -> new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            try (taken) {
                int port = taken.getLocalPort();
                Path cfg = config("{ listen: \"127.0.0.1:" + port + "\" }");
                assertEquals(Main.OK, ns.call(() -> CliRunner.run("rules", "ensure", "--config", cfg.toString())).status());
                String before = table(ns);
                CliRunner.Result r = ns.call(() -> CliRunner.run("run", "--config", cfg.toString()));
                assertEquals(Main.FAILED, r.status(), r.toString());
                List<String> errors = errorLines(r);
                assertEquals(1, errors.size(), r.toString());
                assertTrue(errors.get(0).startsWith("pmtud: cannot listen for metrics on 127.0.0.1:" + port + ": ")
                        && errors.get(0).contains("another pmtud is probably running"), errors.get(0));
                assertRuleInPlace(ns, before, r);
            }
        }
    }

    /** The other side of the same rule: a daemon that started owns its rule, and removes it at stop. */
    @Test
    void aDaemonThatStartedRemovesItsRuleAtStop() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("owner")) {
            Path cfg = config("{ enabled: false }");
            StopSignal stop = new StopSignal();
            var run = CompletableFuture.supplyAsync(() -> {
                try {
                    return ns.call(() -> CliRunner.run(Map.of(), stop, "run", "--config", cfg.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until(Duration.ofSeconds(20), "the daemon's rule",
                    () -> table(ns).lines().filter(l -> l.contains("log group " + GROUP)).count() == 2);
            stop.trigger("SIGTERM");
            CliRunner.Result r = run.get(10, TimeUnit.SECONDS);
            assertEquals(Main.OK, r.status(), r.toString());
            assertEquals("", table(ns), "the table is gone after stop; " + r);
        }
    }

    /**
     * A reload is a start too: a running daemon reloaded onto a group another process has bound
     * cannot open its new source, and must then leave that group's rule (the other instance's)
     * alone, keeping its own. It says so, and counts the reload as failed; at stop it removes only
     * its own rule.
     */
    @Test
    void aReloadOntoABoundGroupLeavesThatGroupsRuleAndKeepsItsOwn() throws Exception {
        Netns.assumeRoot();
        try (Netns ns = Netns.create("reload")) {
            Path theirs = config("{ enabled: false }");
            assertEquals(Main.OK, ns.call(() -> CliRunner.run("rules", "ensure", "--config", theirs.toString())).status());
            String theirRule = chain(ns, GROUP);
            NflogSource running = bindGroup(ns);
            try (running) {
                Path mine = dir.resolve("mine.yaml");
                Files.writeString(mine, Files.readString(theirs).replace("group: " + GROUP, "group: " + OWN_GROUP));
                CliRunner.Background daemon = CliRunner.inNetns(ns, "run", "--config", mine.toString());
                Await.until(Duration.ofSeconds(20), "the daemon's own rule", () -> rulesFor(ns, OWN_GROUP) == 2);
                String ownRule = chain(ns, OWN_GROUP);

                Files.writeString(mine, Files.readString(theirs)); // the group the other process holds
                daemon.stop.requestReload("SIGHUP");
                Await.until(Duration.ofSeconds(20), () -> "the reload's end; log:\n" + daemon.err(),
                        () -> daemon.err().contains("configuration reloaded with failures"));

                String log = daemon.err();
                assertTrue(log.contains("NFLOG group " + GROUP + " is already bound by another process"), log);
                assertTrue(log.contains("reload: the capture rule stays as it was: no source of this pmtud holds NFLOG group " + GROUP), log);
                assertEquals(theirRule, chain(ns, GROUP), "the other instance's rule, handles and all; " + log);
                assertEquals(ownRule, chain(ns, OWN_GROUP), "the daemon's own rule stays; " + log);

                assertEquals(Main.OK, daemon.stop(Duration.ofSeconds(10)));
                assertEquals(0, rulesFor(ns, OWN_GROUP), "its own rule is gone at stop; " + daemon.err());
                assertEquals(theirRule, chain(ns, GROUP), "the other instance's rule outlives it; " + daemon.err());
            }
        }
    }

    private static final String OWN_GROUP = "34";

    /** One group's chain with rule handles (a rule replaced has another handle); empty when there is none. */
    private static String chain(Netns ns, String group) {
        return ns.execAllowingFailure("nft", "-a", "list", "chain", "inet", "pmtud", "capture-" + group).stdout();
    }

    private static long rulesFor(Netns ns, String group) {
        return table(ns).lines().filter(l -> l.contains("log group " + group)).count();
    }
}
