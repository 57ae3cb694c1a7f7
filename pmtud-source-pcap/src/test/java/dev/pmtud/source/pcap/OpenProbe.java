package dev.pmtud.source.pcap;

/** Opens a live source in a child JVM and prints the error's message: exit 3 on error, 0 when it opened. */
public final class OpenProbe {
    private OpenProbe() {
    }

    public static void main(String[] args) {
        PcapLiveSource s = new PcapLiveSource(args[0], 2048, 1 << 20, null, false, true, new dev.pmtud.testkit.TestContext(), "pcap");
        try {
            s.open();
            System.out.println("opened");
            s.close();
            System.exit(0);
        } catch (java.io.IOException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
