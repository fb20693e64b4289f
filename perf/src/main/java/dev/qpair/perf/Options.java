package dev.qpair.perf;

import dev.qpair.hca.DeviceMode;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WrOpcode;
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
 * @param size              verbs payload bytes per operation; 0 means each benchmark's default (64)
 * @param deviceMode        the HCA engine's mode for verbs rows; null means each benchmark's default
 * @param inline            verbs payload inline in the WQE: 1 on, 0 off, -1 the default (on where it fits)
 * @param postList          verbs bandwidth rows: WRs posted under one doorbell
 * @param signalInterval    verbs bandwidth rows: one signaled WR in every this many
 * @param timeSeconds       a cap on each result's measured loop in seconds (it stops after the chunk that passes
 *                          it); 0 for none, so that {@code iterations} alone decides
 * @param qps               verbs bandwidth rows: connected QP pairs the WRs are spread over, round robin per doorbell
 * @param idleQps           write-lat: connected QPs on the same device that never ring a doorbell
 * @param cmpSwap           atomic-lat: ATOMIC_CMP_AND_SWP instead of ATOMIC_FETCH_AND_ADD
 */
public record Options(long iterations, long warmup, long bracketIterations, long rate, int retries,
                      int measureCpu, int peerCpu, Path json, Path hgrm, int size, DeviceMode deviceMode,
                      int inline, int postList, int signalInterval, long timeSeconds, int qps, int idleQps,
                      boolean cmpSwap) {

    public static final long MAX_ITERATIONS = 100_000_000L;
    public static final long MIN_BRACKET = 1_000L;
    public static final long MAX_BRACKET = 10_000_000L;
    public static final long MAX_RATE = 100_000_000L;
    public static final int MAX_RETRIES = 10;
    /** The largest verbs payload: the benchmarks' registered buffers are twice this. */
    public static final int MAX_SIZE = 1 << 20;
    /** The most inline bytes a QP may take ({@code max_inline_data} of an RDMA_WRITE WQE of the largest size). */
    public static final int MAX_INLINE = SendWqe.maxInlineData(WrOpcode.RDMA_WRITE);
    /** The most WRs under one doorbell: every one of them must fit in the send queue at once. */
    public static final int MAX_POST_LIST = 256;
    public static final int DEFAULT_POST_LIST = 16;
    public static final int DEFAULT_SIGNAL_INTERVAL = 16;
    public static final long MAX_TIME_SECONDS = 3_600;
    /** The most QP pairs of a bandwidth row. */
    public static final int MAX_QPS = 1024;
    /** The most idle QPs beside write-lat's two: 4096 QPs on the device in all. */
    public static final int MAX_IDLE_QPS = 4094;
    /** The most bytes a bandwidth row's QPs write into, together ({@code --qps} x {@code --size}, each rounded up to 64). */
    public static final long MAX_BW_BYTES = 256L << 20;

    /** The defaults, sized for the 2-core development machine. */
    public static Options defaults() {
        return new Options(200_000, 50_000, 20_000, 0, 2, 0, 1, null, null);
    }

    /** The harness's options with every verbs knob at its default and no time cap. */
    public Options(long iterations, long warmup, long bracketIterations, long rate, int retries,
                   int measureCpu, int peerCpu, Path json, Path hgrm) {
        this(iterations, warmup, bracketIterations, rate, retries, measureCpu, peerCpu, json, hgrm, 0);
    }

    /** The harness's options with every verbs knob at its default. */
    public Options(long iterations, long warmup, long bracketIterations, long rate, int retries,
                   int measureCpu, int peerCpu, Path json, Path hgrm, long timeSeconds) {
        this(iterations, warmup, bracketIterations, rate, retries, measureCpu, peerCpu, json, hgrm, 0, null, -1,
                DEFAULT_POST_LIST, DEFAULT_SIGNAL_INTERVAL, timeSeconds);
    }

    /** Every knob but the bandwidth rows' QP count, write-lat's idle QPs and the atomic (1, 0, fetch-and-add). */
    public Options(long iterations, long warmup, long bracketIterations, long rate, int retries,
                   int measureCpu, int peerCpu, Path json, Path hgrm, int size, DeviceMode deviceMode,
                   int inline, int postList, int signalInterval, long timeSeconds) {
        this(iterations, warmup, bracketIterations, rate, retries, measureCpu, peerCpu, json, hgrm, size, deviceMode,
                inline, postList, signalInterval, timeSeconds, 1, 0, false);
    }

    /** These options with {@code idleQps} idle QPs (for write-lat's QP-count rows). */
    public Options withIdleQps(int idle) {
        return new Options(iterations, warmup, bracketIterations, rate, retries, measureCpu, peerCpu, json, hgrm, size,
                deviceMode, inline, postList, signalInterval, timeSeconds, qps, idle, cmpSwap);
    }

    /** The cap on each measured loop in ns, or 0 for none. */
    public long timeLimitNanos() {
        return timeSeconds * 1_000_000_000L;
    }

    /** The verbs payload size: {@code --size}, or {@code fallback} when it was not given. */
    public int sizeOr(int fallback) {
        return size == 0 ? fallback : size;
    }

    /** The device mode: {@code --device-mode}, or {@code fallback} when it was not given. */
    public DeviceMode deviceModeOr(DeviceMode fallback) {
        return deviceMode == null ? fallback : deviceMode;
    }

    /** Whether a verbs payload of {@code bytes} goes inline: {@code --inline}, or on when it fits. */
    public boolean inlineFor(int bytes) {
        return inline < 0 ? bytes <= MAX_INLINE : inline == 1;
    }

    /** Warm-up samples for a bracketing limit measurement. */
    public long bracketWarmup() {
        return Math.max(MIN_BRACKET, bracketIterations / 4);
    }

    /** The open-loop interval between operations in ns, or 0 for closed loop. */
    public long intervalNs() {
        return rate == 0 ? 0 : Math.max(1, 1_000_000_000L / rate);
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
        int size = 0;
        DeviceMode deviceMode = null;
        int inline = -1;
        int postList = DEFAULT_POST_LIST;
        int signalInterval = DEFAULT_SIGNAL_INTERVAL;
        long time = 0;
        int qps = 1;
        int idleQps = 0;
        boolean cmpSwap = false;
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
                case "--size" -> size = (int) number(name, value, 1, MAX_SIZE);
                case "--device-mode" -> deviceMode = switch (value) {
                    case "thread" -> DeviceMode.THREAD;
                    case "inline" -> DeviceMode.INLINE;
                    default -> throw new IllegalArgumentException("--device-mode: '" + value
                            + "' is not a device mode; it must be thread or inline");
                };
                case "--inline" -> inline = switch (value) {
                    case "on" -> 1;
                    case "off" -> 0;
                    default -> throw new IllegalArgumentException("--inline: '" + value + "' must be on or off");
                };
                case "--post-list" -> postList = (int) number(name, value, 1, MAX_POST_LIST);
                case "--signal" -> signalInterval = (int) number(name, value, 1, MAX_POST_LIST);
                case "--time" -> time = number(name, value, 1, MAX_TIME_SECONDS);
                case "--qps" -> qps = (int) number(name, value, 1, MAX_QPS);
                case "--idle-qps" -> {
                    idleQps = (int) number(name, value, 0, MAX_IDLE_QPS);
                    if (idleQps % 2 != 0) {
                        throw new IllegalArgumentException("--idle-qps: " + value + " is odd; it must be even"
                                + " (idle QPs are created as connected pairs) and in [0, " + MAX_IDLE_QPS + "]");
                    }
                }
                case "--atomic" -> cmpSwap = switch (value) {
                    case "fetch-add" -> false;
                    case "cmp-swap" -> true;
                    default -> throw new IllegalArgumentException("--atomic: '" + value
                            + "' is not an atomic; it must be fetch-add or cmp-swap");
                };
                default -> throw new IllegalArgumentException("unknown option '" + name + "' (known: --iterations,"
                        + " --warmup, --bracket, --rate, --retries, --cpus, --time, --json, --hgrm, --size, --device-mode,"
                        + " --inline, --post-list, --signal, --qps, --idle-qps, --atomic)");
            }
        }
        if (inline == 1 && size > MAX_INLINE) {
            throw new IllegalArgumentException("--size: " + size + " is out of range with --inline on; inline data"
                    + " must be in [1, " + MAX_INLINE + "] (use --inline off for larger payloads)");
        }
        long stride = (Math.max(size, 64) + 63L) & -64L;
        if (qps * stride > MAX_BW_BYTES) {
            throw new IllegalArgumentException("--qps: " + qps + " x --size " + Math.max(size, 64) + " is out of range;"
                    + " each QP pair has its own buffer, and together they must be at most " + MAX_BW_BYTES + " bytes");
        }
        return new Options(iterations, warmup, bracket, rate, retries, measureCpu, peerCpu, json, hgrm, size,
                deviceMode, inline, postList, signalInterval, time, qps, idleQps, cmpSwap);
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
