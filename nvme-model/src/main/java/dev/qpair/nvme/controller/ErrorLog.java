package dev.qpair.nvme.controller;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The Error Information log page (LID 01h): the last {@link #ENTRIES} failed commands, 64 bytes
 * each, newest first in the page. Allocates nothing after construction.
 */
final class ErrorLog {

    /** ELPE + 1. */
    static final int ENTRIES = 16;
    static final int ENTRY_SIZE = 64;

    private final MemorySegment ring;
    private long errorCount;

    ErrorLog(Arena arena) {
        ring = arena.allocate(ENTRIES * ENTRY_SIZE, 64);
    }

    void record(int sqid, int cid, int statusWithPhase, int nsid, long lba) {
        errorCount++;
        long e = (errorCount % ENTRIES) * ENTRY_SIZE;
        for (int i = 0; i < ENTRY_SIZE; i += 8) {
            ring.set(JAVA_LONG, e + i, 0L);
        }
        ring.set(JAVA_LONG, e, errorCount);
        ring.set(JAVA_SHORT, e + 8, (short) sqid);
        ring.set(JAVA_SHORT, e + 10, (short) cid);
        ring.set(JAVA_SHORT, e + 12, (short) statusWithPhase);
        ring.set(JAVA_SHORT, e + 14, (short) 0xFFFF);
        ring.set(JAVA_LONG, e + 16, lba);
        ring.set(JAVA_INT, e + 24, nsid);
    }

    /** Writes the log page (newest entry first, unused entries zero) into {@code page}; returns its size. */
    int copyTo(MemorySegment page) {
        int n = (int) Math.min(errorCount, ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            long dst = (long) i * ENTRY_SIZE;
            if (i < n) {
                MemorySegment.copy(ring, ((errorCount - i) % ENTRIES) * ENTRY_SIZE, page, dst, ENTRY_SIZE);
            } else {
                for (int b = 0; b < ENTRY_SIZE; b += 8) {
                    page.set(JAVA_LONG, dst + b, 0L);
                }
            }
        }
        return ENTRIES * ENTRY_SIZE;
    }

    void clear() {
        errorCount = 0;
    }
}
