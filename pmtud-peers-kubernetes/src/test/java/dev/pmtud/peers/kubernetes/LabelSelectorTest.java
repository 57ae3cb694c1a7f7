package dev.pmtud.peers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
    static final Map<String, String> WORKER_A = Map.of("node-role.kubernetes.io/worker", "", "zone", "a");
    static final Map<String, String> INFRA_B = Map.of("role", "infra", "zone", "b");

    @Test
    void equalityAndExistence() {
        LabelSelector worker = LabelSelector.parse("node-role.kubernetes.io/worker=");
        assertTrue(worker.matches(WORKER_A));
        assertFalse(worker.matches(INFRA_B));
        assertTrue(LabelSelector.parse("zone==a").matches(WORKER_A));
        assertFalse(LabelSelector.parse("zone!=a").matches(WORKER_A));
        assertTrue(LabelSelector.parse("zone!=a").matches(Map.of()), "!= matches a node without the label");
        assertTrue(LabelSelector.parse("role").matches(INFRA_B));
        assertFalse(LabelSelector.parse("!role").matches(INFRA_B));
        assertTrue(LabelSelector.parse("").matches(INFRA_B), "empty selector matches everything");
        assertTrue(LabelSelector.parse("").matches(null));
    }

    @Test
    void setBasedAndConjunction() {
        assertTrue(LabelSelector.parse("zone in (a, c)").matches(WORKER_A));
        assertFalse(LabelSelector.parse("zone in (a, c)").matches(INFRA_B));
        assertTrue(LabelSelector.parse("zone notin (a,c),role=infra").matches(INFRA_B));
        assertFalse(LabelSelector.parse("zone=b,role=worker").matches(INFRA_B), "every requirement must hold");
    }

    @Test
    void mistakesSayHowToWriteIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("zone in (a"));
        assertTrue(e.getMessage().contains("unclosed"), e.getMessage());
        assertTrue(e.getMessage().contains("node-role.kubernetes.io/worker="), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("zone=a,,role"));
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("zone=a b"));
        assertEquals("zone=a", LabelSelector.parse(" zone=a ").toString());
    }
}
