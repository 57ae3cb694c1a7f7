package dev.pmtud.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pmtud.api.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigErrorReportTest {
    private static final String NL = System.lineSeparator();
    private static final String YAML = "node: a\nfilters:\n  - { type: dedup, windw: 1s }\r\n\tlisten: x\n";

    @TempDir
    Path dir;

    @Test
    void theOffendingLineIsQuotedUnderTheMessage() {
        ConfigException e = new ConfigException("p.yaml", 3, "filters[0] (dedup): unknown key 'windw'");
        assertEquals("p.yaml:3: filters[0] (dedup): unknown key 'windw'" + NL
                + "     3 |   - { type: dedup, windw: 1s }", ConfigErrorReport.describe(e, YAML));
    }

    @Test
    void aTabIsShownAndNothingIsQuotedWithoutALine() {
        assertEquals("     4 | \\tlisten: x", ConfigErrorReport.quote(YAML, 4));
        assertNull(ConfigErrorReport.quote(YAML, 0), "no single line");
        assertNull(ConfigErrorReport.quote(YAML, 5), "past the end");
        ConfigException whole = new ConfigException("p.yaml", 0, "the file is empty");
        assertEquals("p.yaml: the file is empty", ConfigErrorReport.describe(whole, YAML));
    }

    @Test
    void aLongLineIsCut() {
        String longLine = "peers: [" + "192.0.2.1, ".repeat(40) + "]";
        String quoted = ConfigErrorReport.quote(longLine, 1);
        assertEquals("     1 | " + longLine.substring(0, ConfigErrorReport.MAX_QUOTE) + " ...", quoted);
    }

    @Test
    void theFileIsReadWhenItExistsAndOnlyTheMessageIsGivenWhenNot() throws Exception {
        Path file = Files.writeString(dir.resolve("pmtud.yaml"), YAML);
        ConfigException e = new ConfigException(file.toString(), 2, "filters must be a list");
        assertEquals(file + ":2: filters must be a list" + NL + "     2 | filters:", ConfigErrorReport.describe(e));
        ConfigException flags = new ConfigException("go-pmtud flags", 0, "--ignore-networks is required");
        assertEquals("go-pmtud flags: --ignore-networks is required", ConfigErrorReport.describe(flags));
        ConfigException gone = new ConfigException(dir.resolve("gone.yaml").toString(), 2, "x");
        assertEquals(gone.getMessage(), ConfigErrorReport.describe(gone));
    }
}
