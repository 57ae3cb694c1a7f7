package dev.pmtud.relay;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PipelineContext;
import dev.pmtud.api.Sink;
import dev.pmtud.api.SinkFactory;
import dev.pmtud.api.Values;
import dev.pmtud.sys.Tun;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Set;

/**
 * {@code { type: inject, device: pmtud0, address: 169.254.254.1/32 }}. Creating touches nothing;
 * {@link Sink#open()} creates the device.
 */
public final class InjectSinkFactory implements SinkFactory {
    public static final String DEVICE = "device";
    public static final String ADDRESS = "address";
    static final String DEFAULT_DEVICE = "pmtud0";
    static final String DEFAULT_ADDRESS = "169.254.254.1/32";

    @Override
    public String type() {
        return "inject";
    }

    @Override
    public String description() {
        return "writes each message into a TUN device it creates, so that the kernel receives it there "
                + "(conntrack and NAT included): how relayed messages reach connections behind DNAT";
    }

    @Override
    public Set<String> keys() {
        return Set.of(DEVICE, ADDRESS);
    }

    @Override
    public Sink create(ComponentConfig config, PipelineContext context) {
        return create(config, context, Tun.CLONE_DEVICE);
    }

    /** With another clone device path: tests of a missing /dev/net/tun. */
    static InjectSink create(ComponentConfig config, PipelineContext context, String cloneDevice) {
        String device = config.string(DEVICE, DEFAULT_DEVICE).trim();
        if (device.isEmpty() || device.length() > 15 || !device.matches("[A-Za-z0-9_.-]+") || device.equals(".")
                || device.equals("..")) {
            throw config.error(DEVICE, "is '" + device + "'; it must be an interface name of 1 to 15 letters, digits, "
                    + "'-', '_' or '.', like pmtud0");
        }
        String text = config.string(ADDRESS, DEFAULT_ADDRESS).trim();
        int slash = text.indexOf('/');
        InetAddress address;
        int prefix;
        try {
            address = Values.parseAddress(slash < 0 ? text : text.substring(0, slash));
            prefix = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw config.error(ADDRESS, "is '" + text + "'; write an IPv4 address and prefix like " + DEFAULT_ADDRESS);
        }
        if (!(address instanceof Inet4Address) || prefix < 1 || prefix > 32) {
            throw config.error(ADDRESS, "is '" + text + "'; it must be an IPv4 address with a prefix of 1 to 32, like "
                    + DEFAULT_ADDRESS + " (reverse-path filtering drops what arrives on a device without an IPv4 address)");
        }
        String label = config.string("name", "inject");
        return new InjectSink(label, device, address, prefix, cloneDevice, context);
    }
}
