package dev.qpair.perf;

import java.util.Arrays;
import java.util.Locale;

/**
 * spdk_nvme_perf's {@code -w} I/O patterns: which commands an nvme-perf row issues and whether its
 * LBAs are random or sequential. The mixed patterns take their read share from {@code --rwmixread}.
 */
public enum NvmeWorkload {
    READ(false, 100),
    WRITE(false, 0),
    RANDREAD(true, 100),
    RANDWRITE(true, 0),
    RW(false, -1),
    RANDRW(true, -1);

    private final boolean random;
    private final int fixedReadPercent;

    NvmeWorkload(boolean random, int fixedReadPercent) {
        this.random = random;
        this.fixedReadPercent = fixedReadPercent;
    }

    public boolean random() {
        return random;
    }

    /** Whether the read share comes from {@code --rwmixread}. */
    public boolean mixed() {
        return fixedReadPercent < 0;
    }

    /** Percent of commands that are reads, given the {@code --rwmixread} value for the mixed patterns. */
    public int readPercent(int rwMixRead) {
        return mixed() ? rwMixRead : fixedReadPercent;
    }

    /** The name spdk_nvme_perf uses: {@code randread}, {@code rw}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The pattern named {@code value}.
     *
     * @throws IllegalArgumentException naming the option, the value and the accepted names
     */
    public static NvmeWorkload parse(String option, String value) {
        for (NvmeWorkload w : values()) {
            if (w.label().equals(value)) {
                return w;
            }
        }
        throw new IllegalArgumentException(option + ": '" + value + "' is not an I/O pattern; it must be one of "
                + Arrays.stream(values()).map(NvmeWorkload::label).toList());
    }
}
