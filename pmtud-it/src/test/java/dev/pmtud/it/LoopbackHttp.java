package dev.pmtud.it;

import dev.pmtud.testkit.Netns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain HTTP/1.0 GET to {@code 127.0.0.1:port} inside a namespace (a socket opened on a thread
 * that entered it): pmtud's /metrics and probes, and the Prometheus API in the same namespace.
 * The JDK's HTTP clients open their sockets on threads of their own, outside the namespace.
 */
final class LoopbackHttp {
    record Response(int status, String body) {
    }

    private LoopbackHttp() {
    }

    /** {@code pathAndQuery} as it goes on the request line (already URL-encoded). */
    static Response get(Netns ns, int port, String pathAndQuery) throws Exception {
        return ns.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + pathAndQuery + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                String text = all.toString(StandardCharsets.UTF_8);
                int headerEnd = text.indexOf("\r\n\r\n");
                if (!text.startsWith("HTTP/") || headerEnd < 0) {
                    throw new IOException("not an HTTP answer: " + text.substring(0, Math.min(200, text.length())));
                }
                String head = text.substring(0, headerEnd);
                int status = Integer.parseInt(head.split(" ")[1]);
                String body = text.substring(headerEnd + 4);
                if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                    body = dechunk(body);
                }
                return new Response(status, body);
            }
        });
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
