package dev.pmtud.sink.raw;

import dev.pmtud.sys.DefaultRoute;
import dev.pmtud.sys.Sys;
import java.io.IOException;

/**
 * The interface a replicator sends on, by name and by the index the kernel gave it (packet sockets
 * address a link by index; sockets are bound to it by name). The name is what the sink follows
 * ({@link FollowedLink}): an interface deleted and created again keeps its name and gets a new index.
 *
 * @param index the kernel's index, 0 while no interface of that name exists
 */
record SendInterface(String name, int index) {

    /**
     * {@code interface:} as configured, else (when {@code fromDefaultRoute}) the default route's;
     * {@code null} when neither applies. Looked up in the calling thread's network namespace.
     */
    static SendInterface resolve(RawSettings settings, boolean fromDefaultRoute) throws IOException {
        String name = settings.interfaceName();
        if (name == null && fromDefaultRoute) {
            name = DefaultRoute.interfaceName();
            if (name == null) {
                throw new IOException(settings.config().what() + ": this node has no default route to take the interface from; "
                        + "set interface: to the interface that reaches the peers");
            }
        }
        if (name == null) {
            return null;
        }
        int index = Sys.LIBC.if_nametoindex(name);
        if (index == 0) {
            throw new IOException(settings.config().what() + ": interface '" + name + "' does not exist here ("
                    + "`ip link` lists the interfaces); set interface: to one of them");
        }
        return new SendInterface(name, index);
    }

    /** Whether an interface of this name exists (as last looked up). */
    boolean present() {
        return index != 0;
    }
}
