package dev.pmtud.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeErrorsTest {

    @Test
    void failedCallCarriesErrnoNameAndStrerrorText() {
        // close(-1) fails with EBADF on every Linux.
        NativeException e = assertThrows(NativeException.class, () -> Sys.check(Sys.LIBC.close(-1), "close(-1)"));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("EBADF", e.errnoName());
        assertEquals("close(-1): EBADF (Bad file descriptor)", e.getMessage());
    }

    @Test
    void socketOptionsRoundTrip() throws Exception {
        int fd = Sys.check(Sys.LIBC.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0), "socket");
        try {
            Sys.setIntOption(fd, Linux.IPPROTO_IP, Linux.IP_TTL, 7, "IP_TTL");
            assertEquals(7, Sys.getIntOption(fd, Linux.IPPROTO_IP, Linux.IP_TTL, "IP_TTL"));
            Sys.setIntOption(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, 65536, "SO_RCVBUF");
            assertTrue(Sys.getIntOption(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, "SO_RCVBUF") >= 65536);
            NativeException e = assertThrows(NativeException.class, () -> Sys.bindToDevice(fd, "sixteen-bytes-if"));
            assertEquals(Errno.EINVAL, e.errno(), "16+ byte names are refused before the kernel sees them");
            e = assertThrows(NativeException.class, () -> Sys.bindToDevice(fd, "pmtud-nosuch0"));
            assertEquals(Errno.ENODEV, e.errno());
            assertTrue(e.getMessage().startsWith("setsockopt(SO_BINDTODEVICE, pmtud-nosuch0): ENODEV ("), e.getMessage());
        } finally {
            Sys.LIBC.close(fd);
        }
    }

    @Test
    void unknownErrnoHasANumberedName() {
        assertEquals("errno-9999", Errno.name(9999));
        assertEquals("ENOBUFS", Errno.name(Errno.ENOBUFS));
    }
}
