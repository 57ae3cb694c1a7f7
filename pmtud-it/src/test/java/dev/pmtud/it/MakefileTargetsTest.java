package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every target {@code make help} offers has a rule. (A merge once dropped {@code dist}, {@code
 * dist-verify}, {@code demo} and {@code sample}; being {@code .PHONY}, {@code make dist} then said
 * "Nothing to be done" and built nothing, while the docs sent users to it.)
 */
class MakefileTargetsTest {
    private static final Pattern OFFERED = Pattern.compile("^\\s*@echo \"make ([a-z-]+)\\s");
    private static final Pattern RULE = Pattern.compile("^([a-z][a-z-]*):(?!=)");

    @Test
    void everyTargetTheHelpOffersHasARule() throws Exception {
        List<String> lines = Files.readAllLines(RepoPaths.root().resolve("Makefile"));
        Set<String> offered = new TreeSet<>();
        Set<String> rules = new TreeSet<>();
        for (String line : lines) {
            Matcher o = OFFERED.matcher(line);
            if (o.find()) {
                offered.add(o.group(1));
            }
            Matcher r = RULE.matcher(line);
            if (r.find()) {
                rules.add(r.group(1));
            }
        }
        assertTrue(offered.containsAll(List.of("run", "test", "dist", "bench")), "help lines found: " + offered);
        List<String> missing = new ArrayList<>(offered);
        missing.removeAll(rules);
        assertEquals(List.of(), missing, "targets make help offers without a rule (rules: " + rules + ")");
    }
}
