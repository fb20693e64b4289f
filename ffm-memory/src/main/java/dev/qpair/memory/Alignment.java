package dev.qpair.memory;

/** Alignments for {@link AlignedBuffer}. */
public enum Alignment {
    /** 64 bytes: one cache line, so that no two owners share a line. */
    CACHE_LINE(64),
    /** 4 KiB: a base page, the unit of page-list registration and of doorbell pages. */
    PAGE(4096),
    /** 2 MiB: a huge page on x86-64 and AArch64 (4 KiB granule). */
    HUGE_PAGE(2L << 20);

    private final long bytes;

    Alignment(long bytes) {
        this.bytes = bytes;
    }

    /** The alignment in bytes, a power of two. */
    public long bytes() {
        return bytes;
    }
}
