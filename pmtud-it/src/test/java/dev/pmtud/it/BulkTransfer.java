package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server in a node namespace that sends {@code size} bytes to whoever connects and closes,
 * and the client that reads it with a deadline. Plain JDK sockets opened inside the namespaces.
 */
public final class BulkTransfer {
    public static final int BULK_SIZE = 2 * 1024 * 1024;

    /** What the client saw. {@code millis} runs from connect to the last byte (or to the give-up). */
    public record Result(long bytes, boolean complete, long millis, String error) {
        @Override
        public String toString() {
            return (complete ? "complete" : "INCOMPLETE") + ": " + bytes + " bytes in " + millis + " ms"
                    + (error == null ? "" : " (" + error + ")");
        }
    }

    /** Listens on {@code address:port} inside {@code ns}; every accepted connection gets {@code size} bytes. */
    public static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread thread;

        public Server(Netns ns, String address, int port, int size) throws Exception {
            this.socket = ns.call(() -> {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(ClusterLab.addr(address), port));
                return s;
            });
            this.thread = new Thread(() -> serve(size), "bulk-server-" + address + "-" + port);
            thread.setDaemon(true);
            thread.start();
        }

        private void serve(int size) {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
            while (!socket.isClosed()) {
                Socket c;
                try {
                    c = socket.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.add(c);
                Thread w = new Thread(() -> {
                    try (c; OutputStream out = c.getOutputStream()) {
                        for (int sent = 0; sent < size; sent += chunk.length) {
                            out.write(chunk, 0, Math.min(chunk.length, size - sent));
                        }
                    } catch (IOException ignored) {
                        // the client gave up (the black hole case) or the lab is going away
                    }
                }, "bulk-writer");
                w.setDaemon(true);
                w.start();
            }
        }

        /**
         * Stops listening and aborts every connection still open (RST, no lingering). A stalled
         * connection closed gracefully would live on in the kernel as an orphan, retransmitting its
         * oversized segment for minutes: the router's errors for it would be relayed during a later
         * case and teach the node the PMTU behind that case's back.
         */
        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
            for (Socket c : accepted) {
                try {
                    if (!c.isClosed()) {
                        c.setSoLinger(true, 0);
                    }
                    c.close();
                } catch (IOException ignored) {
                    // closed meanwhile by its writer (a complete transfer)
                }
            }
        }
    }

    /**
     * Connects from {@code ns} to {@code vip:port} and reads until EOF or until {@code limit} has
     * passed since the connect started.
     */
    public static Result fetch(Netns ns, String vip, int port, int expected, Duration limit) throws Exception {
        return ns.call(() -> {
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            long bytes = 0;
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4 * 1024 * 1024);
                s.connect(new InetSocketAddress(ClusterLab.addr(vip), port), (int) Math.max(1, limit.toMillis()));
                InputStream in = s.getInputStream();
                byte[] buf = new byte[256 * 1024];
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return new Result(bytes, false, millisSince(start), "timed out after " + limit.toMillis() + " ms");
                    }
                    s.setSoTimeout((int) Math.max(1, left / 1_000_000));
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (SocketTimeoutException e) {
                        return new Result(bytes, false, millisSince(start), "timed out after " + limit.toMillis() + " ms");
                    }
                    if (n < 0) {
                        return new Result(bytes, bytes == expected, millisSince(start), bytes == expected ? null : "EOF early");
                    }
                    bytes += n;
                }
            } catch (IOException e) {
                return new Result(bytes, false, millisSince(start), e.toString());
            }
        });
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private BulkTransfer() {
    }
}
