package dev.pmtud.relay;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Source;
import dev.pmtud.api.SourceFactory;
import dev.pmtud.api.Values;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: udp, listen: "[::]:4390", key-file: /etc/pmtud/relay.key, max-age: 5s }}. The key
 * file is read at open, not here, so that {@code validate} needs no secret.
 */
public final class UdpSourceFactory implements SourceFactory {
    public static final String LISTEN = "listen";
    public static final String KEY_FILE = "key-file";
    public static final String MAX_AGE = "max-age";
    static final String DEFAULT_LISTEN = "[::]:" + WireFormat.DEFAULT_PORT;
    static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(5);
    private static final Duration MIN_MAX_AGE = Duration.ofMillis(10);
    private static final Duration MAX_MAX_AGE = Duration.ofHours(1);

    @Override
    public String type() {
        return "udp";
    }

    @Override
    public String description() {
        return "messages relayed by the peers' udp sinks: HMAC-signed datagrams with key-file, go-pmtud's bare "
                + "IPv4/IPv6 packets without; only from peer addresses";
    }

    @Override
    public Set<String> keys() {
        return Set.of(LISTEN, KEY_FILE, MAX_AGE);
    }

    /** The key file: a reload after it changed replaces the component, which reads it at open. */
    @Override
    public List<Path> configurationFiles(ComponentConfig config) {
        Path keyFile = keyFile(config);
        return keyFile == null ? List.of() : List.of(keyFile);
    }

    @Override
    public Source create(ComponentConfig config, PipelineContext context) {
        InetSocketAddress listen = listen(config);
        Path keyFile = keyFile(config);
        Duration maxAge = config.duration(MAX_AGE, DEFAULT_MAX_AGE);
        if (maxAge.compareTo(MIN_MAX_AGE) < 0 || maxAge.compareTo(MAX_MAX_AGE) > 0) {
            throw config.error(MAX_AGE, "is " + maxAge.toMillis() + "ms; it must be from 10ms to 1h (it bounds how far "
                    + "a datagram's timestamp may be from this node's clock)");
        }
        if (keyFile == null && config.has(MAX_AGE)) {
            throw config.error(MAX_AGE, "applies to signed datagrams only; set key-file: too, or remove max-age");
        }
        String label = config.string("name", "udp");
        return new UdpSource(label, listen, keyFile, maxAge.toNanos(), UdpSource.SEEN_CAPACITY, context);
    }

    static Path keyFile(ComponentConfig config) {
        String text = config.string(KEY_FILE, null);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            throw config.error(KEY_FILE, "is empty; give the path of a file with one base64 key per line, or leave it out "
                    + "for go-pmtud's unauthenticated format");
        }
        return Path.of(text.trim());
    }

    /** {@code ADDRESS:PORT}, IPv6 in brackets: {@code [::]:4390}, {@code 0.0.0.0:4390}, {@code [2001:db8::1]:4390}. */
    static InetSocketAddress listen(ComponentConfig config) {
        String text = config.string(LISTEN, DEFAULT_LISTEN).trim();
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (colon <= 0 || host.indexOf(':') >= 0 && !bracketed) {
            throw config.error(LISTEN, "is '" + text + "'; write ADDRESS:PORT with IPv6 in brackets, like \"[::]:4390\" "
                    + "(every address, both families) or \"0.0.0.0:4390\" (IPv4 only)");
        }
        InetAddress address;
        int port;
        try {
            address = Values.parseAddress(host);
        } catch (IllegalArgumentException e) {
            throw config.error(LISTEN, "has '" + host + "', which is not an IP address; write ADDRESS:PORT like \"[::]:4390\"");
        }
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw config.error(LISTEN, "has port '" + text.substring(colon + 1) + "'; it must be from 1 to 65535 (4390 is go-pmtud's)");
        }
        return new InetSocketAddress(address, port);
    }
}
