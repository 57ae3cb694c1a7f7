package dev.pmtud.it;

import dev.pmtud.it.ClusterLab.Owner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The client fetching 2 MB from whoever owns the connection (node 1 or its pod) through the VIP,
 * with the small control transfer beside it, and the owner's route to the client afterwards.
 */
public final class Transfers {
    private Transfers() {
    }

    /** One transfer: which owner and family, its control, the 2 MB, and the owner's route to the client afterwards. */
    public record Transfer(Owner owner, Family family, BulkTransfer.Result control, BulkTransfer.Result bulk, String ownerRoute) {
        public String label() {
            return family + " " + owner.text;
        }
    }

    /** A transfer to make: who serves it, in which family. */
    public record Case(Owner owner, Family family) {
    }

    /** Every owner in every family. */
    public static List<Case> all(List<Owner> owners) {
        List<Case> out = new ArrayList<>();
        for (Owner o : owners) {
            for (Family f : Family.values()) {
                out.add(new Case(o, f));
            }
        }
        return out;
    }

    /** Serves the 2 MB (and the small control) in the owner's namespace and fetches both from the client through the VIP. */
    @SuppressWarnings("try") // the servers only need to be open while the client fetches
    public static Transfer run(ClusterLab lab, Owner owner, Family f, Duration limit) throws Exception {
        String bind = ClusterLab.serverAddress(owner, f);
        try (var bulk = new BulkTransfer.Server(lab.serverNamespace(owner), bind, owner.bulkPort, BulkTransfer.BULK_SIZE);
             var small = new BulkTransfer.Server(lab.serverNamespace(owner), bind, owner.smallPort, ClusterLab.SMALL_SIZE)) {
            BulkTransfer.Result control = BulkTransfer.fetch(lab.client, f.vip(), owner.smallPort, ClusterLab.SMALL_SIZE,
                    Duration.ofSeconds(5));
            BulkTransfer.Result r = BulkTransfer.fetch(lab.client, f.vip(), owner.bulkPort, BulkTransfer.BULK_SIZE, limit);
            return new Transfer(owner, f, control, r, lab.ownerRoute(owner, f));
        }
    }

    /**
     * Several transfers at once, for cases expected to stall: the stall limit is waited out once,
     * not once per case. Each connection is its own flow, so they do not disturb each other.
     */
    public static List<Transfer> runAtOnce(ClusterLab lab, List<Case> cases, Duration limit) throws Exception {
        List<CompletableFuture<Transfer>> running = new ArrayList<>();
        for (Case c : cases) {
            running.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return run(lab, c.owner(), c.family(), limit);
                } catch (Exception e) {
                    throw new IllegalStateException(c + ": " + e, e);
                }
            }, r -> {
                Thread t = new Thread(r, "transfer-" + c.family() + "-" + c.owner().text);
                t.setDaemon(true);
                t.start();
            }));
        }
        List<Transfer> out = new ArrayList<>();
        for (CompletableFuture<Transfer> f : running) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        return out;
    }
}
