package dev.qpair.memory;

import java.lang.foreign.MemorySegment;

/**
 * One registration of a memory region, immutable once published in the {@link KeyTable}: every
 * re-registration, invalidation or deregistration publishes another one (or none), so a lookup that
 * loaded a mapping sees all of it consistently.
 */
final class Mapping {

    final MemoryRegion mr;
    final int key;
    final boolean valid;
    final ProtectionDomain pd;
    final int access;
    final long iova;
    final long length;
    final MrType type;
    final DeviceId owner;

    final MemorySegment segment;
    final long base;

    final int pageShift;
    final long firstByteOffset;
    final MemorySegment[] pageSegments;
    final long[] pageOffsets;

    final long[] pieceStarts;
    final MemorySegment[] pieceSegments;
    final long[] pieceOffsets;
    final long[] pieceLengths;
    final int[] pieceSlots;
    final Mapping[] pieceSources;

    private Mapping(MemoryRegion mr, int key, boolean valid, int access, long iova, long length, DeviceId owner,
                    MemorySegment segment, long base,
                    int pageShift, long firstByteOffset, MemorySegment[] pageSegments, long[] pageOffsets,
                    long[] pieceStarts, MemorySegment[] pieceSegments, long[] pieceOffsets, long[] pieceLengths,
                    int[] pieceSlots, Mapping[] pieceSources) {
        this.mr = mr;
        this.key = key;
        this.valid = valid;
        this.pd = mr.pd();
        this.type = mr.type();
        this.access = access;
        this.iova = iova;
        this.length = length;
        this.owner = owner;
        this.segment = segment;
        this.base = base;
        this.pageShift = pageShift;
        this.firstByteOffset = firstByteOffset;
        this.pageSegments = pageSegments;
        this.pageOffsets = pageOffsets;
        this.pieceStarts = pieceStarts;
        this.pieceSegments = pieceSegments;
        this.pieceOffsets = pieceOffsets;
        this.pieceLengths = pieceLengths;
        this.pieceSlots = pieceSlots;
        this.pieceSources = pieceSources;
    }

    static Mapping invalid(MemoryRegion mr, int key) {
        return new Mapping(mr, key, false, 0, 0, 0, null, null, 0, 0, 0, null, null, null, null, null, null, null, null);
    }

    static Mapping direct(MemoryRegion mr, int key, int access, long iova, long length, DeviceId owner,
                          MemorySegment segment, long base) {
        return new Mapping(mr, key, true, access, iova, length, owner, segment, base,
                0, 0, null, null, null, null, null, null, null, null);
    }

    static Mapping pages(MemoryRegion mr, int key, int access, long iova, long length, DeviceId owner,
                         int pageShift, long firstByteOffset, MemorySegment[] pageSegments, long[] pageOffsets) {
        return new Mapping(mr, key, true, access, iova, length, owner, null, 0,
                pageShift, firstByteOffset, pageSegments, pageOffsets, null, null, null, null, null, null);
    }

    static Mapping indirect(MemoryRegion mr, int key, int access, long iova, long length, DeviceId owner,
                            long[] pieceStarts, MemorySegment[] pieceSegments, long[] pieceOffsets,
                            long[] pieceLengths, int[] pieceSlots, Mapping[] pieceSources) {
        return new Mapping(mr, key, true, access, iova, length, owner, null, 0, 0, 0, null, null,
                pieceStarts, pieceSegments, pieceOffsets, pieceLengths, pieceSlots, pieceSources);
    }

    /** The piece of an indirect mapping that holds byte {@code offset}: the last start at or below it. */
    int pieceAt(long offset) {
        int lo = 0;
        int hi = pieceStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (pieceStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
