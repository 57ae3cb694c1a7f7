package dev.pmtud.api;

/** Events per second, written {@code 10/s}, {@code 600/m} or {@code 36000/h}. */
public final class Rate {
    private final double perSecond;
    private final String text;

    private Rate(double perSecond, String text) {
        this.perSecond = perSecond;
        this.text = text;
    }

    public static Rate perSecond(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate must be positive and finite");
        }
        return new Rate(perSecond, perSecond + "/s");
    }

    /** Parses {@code N/s}, {@code N/m}, {@code N/h}; N may have a fraction (1.1/s). */
    public static Rate parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; write it as 10/s, 600/m or 36000/h");
        }
        double count;
        try {
            count = Double.parseDouble(t.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; write it as 10/s, 600/m or 36000/h");
        }
        double seconds;
        switch (t.substring(slash + 1).trim()) {
            case "s": seconds = 1; break;
            case "m": seconds = 60; break;
            case "h": seconds = 3600; break;
            default:
                throw new IllegalArgumentException("'" + text + "' has an unknown unit; rates are per s, m or h (10/s, 600/m)");
        }
        if (!(count > 0) || Double.isInfinite(count)) {
            throw new IllegalArgumentException("'" + text + "' must be a positive rate, like 10/s");
        }
        return new Rate(count / seconds, t);
    }

    public double perSecond() {
        return perSecond;
    }

    @Override
    public String toString() {
        return text;
    }
}
