package dev.qpair.perf;

import java.util.List;

/**
 * One nvme-perf row's knobs, as spdk_nvme_perf takes them: I/O size ({@code -o}), queue depth
 * ({@code -q}), I/O pattern ({@code -w}) and read share ({@code -M}), plus where the namespace
 * lives (memory or a file), its size, how the controller model runs (its own pinned thread,
 * or inline in the host thread) and whether the host uses shadow doorbells (Doorbell Buffer Config). {@link #parse} rejects bad input with a message naming the
 * option, the value and the range.
 *
 * @param ioSize     bytes per command: a multiple of 512 up to the model's MDTS (128 KiB)
 * @param queueDepth commands kept outstanding
 * @param workload   the I/O pattern
 * @param rwMixRead  percent reads for {@code rw} and {@code randrw}
 * @param file       the namespace lives in a memory-mapped file instead of off-heap memory
 * @param inline     the controller runs inline in the host thread instead of its own thread
 * @param nsMib      namespace size in MiB
 * @param shadowDoorbells the host enables Doorbell Buffer Config: shadow doorbells with EventIdx
 */
public record NvmePerfConfig(int ioSize, int queueDepth, NvmeWorkload workload, int rwMixRead, boolean file,
                             boolean inline, int nsMib, boolean shadowDoorbells) {

    public static final int MIN_IO_SIZE = 512;
    public static final int MAX_IO_SIZE = 128 * 1024;
    /** The model's largest queue is 1024 entries, which holds 1023 commands. */
    public static final int MAX_QUEUE_DEPTH = 1023;
    public static final int MAX_NS_MIB = 4096;
    public static final int DEFAULT_NS_MIB = 64;
    /** The options this record owns; {@link Options} owns the rest. */
    public static final List<String> OPTIONS = List.of("--io-size", "--qd", "--rw", "--rwmixread", "--ns", "--ns-mib",
            "--device", "--shadow-doorbells");

    /** 4 KiB random reads at queue depth 1 on a memory namespace, controller thread: spdk_nvme_perf's usual first run. */
    public static NvmePerfConfig defaults() {
        return new NvmePerfConfig(4096, 1, NvmeWorkload.RANDREAD, 50, false, false, DEFAULT_NS_MIB, false);
    }

    /**
     * Applies {@code value} of the nvme-perf option {@code name} to this config.
     *
     * @throws IllegalArgumentException naming the option, the value and the range
     */
    public NvmePerfConfig with(String name, String value) {
        return switch (name) {
            case "--io-size" -> {
                int size = (int) Options.number(name, value, MIN_IO_SIZE, MAX_IO_SIZE);
                if (size % MIN_IO_SIZE != 0) {
                    throw new IllegalArgumentException(name + ": " + value + " is not a multiple of 512 (the smaller LBA"
                            + " format); it must be in [" + MIN_IO_SIZE + ", " + MAX_IO_SIZE + "]");
                }
                yield new NvmePerfConfig(size, queueDepth, workload, rwMixRead, file, inline, nsMib, shadowDoorbells);
            }
            case "--qd" -> new NvmePerfConfig(ioSize, (int) Options.number(name, value, 1, MAX_QUEUE_DEPTH), workload,
                    rwMixRead, file, inline, nsMib, shadowDoorbells);
            case "--rw" -> new NvmePerfConfig(ioSize, queueDepth, NvmeWorkload.parse(name, value), rwMixRead, file,
                    inline, nsMib, shadowDoorbells);
            case "--rwmixread" -> new NvmePerfConfig(ioSize, queueDepth, workload, (int) Options.number(name, value, 0, 100),
                    file, inline, nsMib, shadowDoorbells);
            case "--ns" -> new NvmePerfConfig(ioSize, queueDepth, workload, rwMixRead,
                    choice(name, value, "file", "memory"), inline, nsMib, shadowDoorbells);
            case "--ns-mib" -> new NvmePerfConfig(ioSize, queueDepth, workload, rwMixRead, file, inline,
                    (int) Options.number(name, value, 1, MAX_NS_MIB), shadowDoorbells);
            case "--device" -> new NvmePerfConfig(ioSize, queueDepth, workload, rwMixRead, file,
                    choice(name, value, "inline", "thread"), nsMib, shadowDoorbells);
            case "--shadow-doorbells" -> new NvmePerfConfig(ioSize, queueDepth, workload, rwMixRead, file, inline, nsMib,
                    choice(name, value, "on", "off"));
            default -> throw new IllegalArgumentException("unknown nvme-perf option '" + name + "' (known: " + OPTIONS + ")");
        };
    }

    /** True for {@code yes}, false for {@code no}; anything else names the option and both choices. */
    private static boolean choice(String name, String value, String yes, String no) {
        if (value.equals(yes)) {
            return true;
        }
        if (value.equals(no)) {
            return false;
        }
        throw new IllegalArgumentException(name + ": '" + value + "' must be " + no + " or " + yes);
    }

    /** The LBA format: 4 KiB blocks when the I/O size is a multiple of 4 KiB, 512 B otherwise. */
    public int lbaSize() {
        return ioSize % 4096 == 0 ? 4096 : 512;
    }

    /**
     * The row name: {@code nvme-perf-randread-qd32-4k-mem}, with {@code -file}, {@code -inline} and
     * {@code -shadow} where they apply.
     */
    public String name() {
        String size = ioSize % 1024 == 0 ? ioSize / 1024 + "k" : ioSize + "b";
        String mix = workload.mixed() ? workload.label() + rwMixRead : workload.label();
        return "nvme-perf-" + mix + "-qd" + queueDepth + "-" + size + (file ? "-file" : "-mem") + (inline ? "-inline" : "")
                + (shadowDoorbells ? "-shadow" : "");
    }
}
