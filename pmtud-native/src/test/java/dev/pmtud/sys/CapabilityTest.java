package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The shared diagnosis: the message every privileged operation gives, and the check behind it. */
class CapabilityTest {
    @Test
    void theMessageNamesTheCapabilityTheErrnoAndTheFix() {
        NativeException e = Capability.NET_ADMIN.missing("NFLOG", Errno.EPERM);
        assertEquals("NFLOG needs CAP_NET_ADMIN (EPERM); run as root or grant the capability", e.getMessage());
        assertEquals(Errno.EPERM, e.errno());
        assertEquals("CAP_NET_RAW", Capability.NET_RAW.capName());
    }

    @Test
    void rootHoldsThemInItsEffectiveSet() {
        Assumptions.assumeTrue(Sys.isRoot(), "SKIPPED: not root (the netns tests check the unprivileged side)");
        assertTrue(Capability.NET_ADMIN.held());
        assertTrue(Capability.NET_RAW.held());
    }
}
