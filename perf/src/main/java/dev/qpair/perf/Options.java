package dev.qpair.perf;

import java.nio.file.Path;

/**
 * The options every subcommand takes. {@link #parse} rejects bad input with an
 * {@link IllegalArgumentException} whose message names the option, the value and the limit.
 *
 * @param iterations        measured samples per result
 * @param warmup            warm-up samples per result, recorded into a scratch histogram
 * @param bracketIterations limit round trips in each bracketing measurement
 * @param rate              open-loop target rate in operations per second; 0 runs closed loop
 * @param retries           extra attempts for a result whose brackets differ by more than the tolerance
 * @param measureCpu        the CPU the measuring thread is pinned to
 * @param peerCpu           the CPU peer and device threads are pinned to
 * @param json              where to write the JSON results, or null
 * @param hgrm              where to write percentile distributions and the chart, or null
 * @param timeSeconds       a cap on each result's measured loop in seconds (it stops after the chunk that passes
 *                          it); 0 for none, so that {@code iterations} alone decides
 */
public record Options(long iterations, long warmup, long bracketIterations, long rate, int retries,
                      int measureCpu, int peerCpu, Path json, Path hgrm, long timeSeconds) {

    public static final long MAX_ITERATIONS = 100_000_000L;
    public static final long MIN_BRACKET = 1_000L;
    public static final long MAX_BRACKET = 10_000_000L;
    public static final long MAX_RATE = 100_000_000L;
    public static final int MAX_RETRIES = 10;
    public static final long MAX_TIME_SECONDS = 3_600;

    /** The defaults, sized for the 2-core development machine. */
    public static Options defaults() {
        return new Options(200_000, 50_000, 20_000, 0, 2, 0, 1, null, null, 0);
    }

    /** Warm-up samples for a bracketing limit measurement. */
    public long bracketWarmup() {
        return Math.max(MIN_BRACKET, bracketIterations / 4);
    }

    /** The open-loop interval between operations in ns, or 0 for closed loop. */
    public long intervalNs() {
        return rate == 0 ? 0 : Math.max(1, 1_000_000_000L / rate);
    }

    /** The cap on each measured loop in ns, or 0 for none. */
    public long timeLimitNanos() {
        return timeSeconds * 1_000_000_000L;
    }

    public String mode() {
        return rate == 0 ? "closed-loop" : "open-loop";
    }

    /**
     * Parses {@code args[from..]}.
     *
     * @param cpus the number of CPUs a {@code --cpus} value must lie below
     */
    public static Options parse(String[] args, int from, int cpus) {
        Options o = defaults();
        long iterations = o.iterations;
        long warmup = o.warmup;
        long bracket = o.bracketIterations;
        long rate = o.rate;
        int retries = o.retries;
        int measureCpu = o.measureCpu;
        int peerCpu = o.peerCpu;
        Path json = null;
        Path hgrm = null;
        long time = 0;
        for (int i = from; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + name + "': options start with --"
                        + " (see ./qpair-perf help)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value (see ./qpair-perf help)");
            }
            String value = args[++i];
            switch (name) {
                case "--iterations" -> iterations = number(name, value, 1, MAX_ITERATIONS);
                case "--warmup" -> warmup = number(name, value, 0, MAX_ITERATIONS);
                case "--bracket" -> bracket = number(name, value, MIN_BRACKET, MAX_BRACKET);
                case "--rate" -> rate = number(name, value, 1, MAX_RATE);
                case "--retries" -> retries = (int) number(name, value, 0, MAX_RETRIES);
                case "--cpus" -> {
                    String[] pair = value.split(",", -1);
                    if (pair.length != 2) {
                        throw new IllegalArgumentException("--cpus: '" + value
                                + "' is not two CPU numbers A,B (measuring thread, peer thread)");
                    }
                    measureCpu = (int) number(name, pair[0], 0, cpus - 1);
                    peerCpu = (int) number(name, pair[1], 0, cpus - 1);
                    if (measureCpu == peerCpu) {
                        throw new IllegalArgumentException("--cpus: '" + value
                                + "' names the same CPU twice; the two threads need different CPUs");
                    }
                }
                case "--json" -> json = Path.of(value);
                case "--hgrm" -> hgrm = Path.of(value);
                case "--time" -> time = number(name, value, 1, MAX_TIME_SECONDS);
                default -> throw new IllegalArgumentException("unknown option '" + name + "' (known: --iterations,"
                        + " --warmup, --bracket, --rate, --retries, --cpus, --time, --json, --hgrm)");
            }
        }
        return new Options(iterations, warmup, bracket, rate, retries, measureCpu, peerCpu, json, hgrm, time);
    }

    /** Parses an integer option value in [min, max]; the message names the option, the value and the range. */
    static long number(String name, String value, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not an integer; it must be in ["
                    + min + ", " + max + "]");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(name + ": " + value + " is out of range; it must be in ["
                    + min + ", " + max + "]");
        }
        return parsed;
    }
}
