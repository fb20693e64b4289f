package dev.qpair.nvme;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The IOMMU between host memory and the controller model: the host maps the segments a controller
 * may reach (queues, PRP lists, data buffers), and the controller translates every address it
 * takes from a register or a queue entry through this map. An address range that does not lie
 * inside one mapped segment does not translate, so a controller never touches memory the host did
 * not hand it.
 *
 * <p>Bus addresses are the segments' native addresses (an identity-mapped IOMMU, as with
 * {@code iommu=pt}). Mapping and unmapping publish a new immutable table; translation reads the
 * current table with one volatile load and allocates nothing; a small direct-mapped cache keyed by
 * page number answers repeated translations without the binary search.
 *
 * <p>A controller pins the ranges it keeps using between commands (queues, shadow doorbell
 * buffers); unmapping a segment that holds a pinned range is refused, so host memory is never
 * freed under a live queue. Unmap a segment only when no
 * command that uses it is outstanding, as with a real IOMMU.
 */
public final class DmaMap {

    private static final int PAGE_SHIFT = 12;
    private static final int TLB_ENTRIES = 1024;

    /**
     * One published mapping table. {@code tlb} is a direct-mapped cache from a 4 KiB page number
     * to the index of the segment that last translated an address in that page; it belongs to this
     * table only, so a replaced table takes its cache with it.
     */
    private record Table(long[] bases, long[] ends, MemorySegment[] segments, int[] tlb) {
        Table(long[] bases, long[] ends, MemorySegment[] segments) {
            this(bases, ends, segments, new int[TLB_ENTRIES]);
        }
    }

    private record Pin(Object owner, long address, long length, String what) {
    }

    private volatile Table table = new Table(new long[0], new long[0], new MemorySegment[0]);
    private final List<Pin> pins = new ArrayList<>();

    /**
     * Maps {@code segment} for device access and returns its bus address.
     *
     * @throws IllegalArgumentException when the segment is on the heap, empty, or overlaps a mapped one
     */
    public synchronized long map(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment " + segment + " is a heap segment: only native segments can be DMA-mapped");
        }
        long base = segment.address();
        long size = segment.byteSize();
        if (size == 0) {
            throw new IllegalArgumentException("segment " + segment + " is empty: a DMA mapping needs at least 1 byte");
        }
        Table t = table;
        int at = insertionPoint(t.bases, base);
        if ((at > 0 && t.ends[at - 1] > base) || (at < t.bases.length && t.bases[at] < base + size)) {
            throw new IllegalArgumentException(String.format(
                    "segment [0x%x, 0x%x) overlaps a mapped segment: map each buffer once", base, base + size));
        }
        int n = t.bases.length;
        long[] bases = new long[n + 1];
        long[] ends = new long[n + 1];
        MemorySegment[] segments = new MemorySegment[n + 1];
        System.arraycopy(t.bases, 0, bases, 0, at);
        System.arraycopy(t.ends, 0, ends, 0, at);
        System.arraycopy(t.segments, 0, segments, 0, at);
        bases[at] = base;
        ends[at] = base + size;
        segments[at] = segment;
        System.arraycopy(t.bases, at, bases, at + 1, n - at);
        System.arraycopy(t.ends, at, ends, at + 1, n - at);
        System.arraycopy(t.segments, at, segments, at + 1, n - at);
        table = new Table(bases, ends, segments);
        return base;
    }

    /**
     * Removes the mapping of {@code segment}.
     *
     * @throws IllegalArgumentException when the segment is not mapped
     * @throws IllegalStateException when a controller still uses a range in it (a live queue):
     *     naming the range and what it backs
     */
    public synchronized void unmap(MemorySegment segment) {
        Table t = table;
        int at = Arrays.binarySearch(t.bases, segment.address());
        if (at < 0 || t.ends[at] != segment.address() + segment.byteSize()) {
            throw new IllegalArgumentException("segment " + segment + " is not DMA-mapped");
        }
        for (Pin pin : pins) {
            if (pin.address < t.ends[at] && t.bases[at] < pin.address + pin.length) {
                throw new IllegalStateException(String.format(
                        "segment [0x%x, 0x%x) backs %s at [0x%x, 0x%x): delete it, or disable the controller, before unmapping",
                        t.bases[at], t.ends[at], pin.what, pin.address, pin.address + pin.length));
            }
        }
        int n = t.bases.length;
        long[] bases = new long[n - 1];
        long[] ends = new long[n - 1];
        MemorySegment[] segments = new MemorySegment[n - 1];
        System.arraycopy(t.bases, 0, bases, 0, at);
        System.arraycopy(t.ends, 0, ends, 0, at);
        System.arraycopy(t.segments, 0, segments, 0, at);
        System.arraycopy(t.bases, at + 1, bases, at, n - at - 1);
        System.arraycopy(t.ends, at + 1, ends, at, n - at - 1);
        System.arraycopy(t.segments, at + 1, segments, at, n - at - 1);
        table = new Table(bases, ends, segments);
    }

    /**
     * Marks {@code [address, address + length)}, which {@code owner} keeps using (a queue), as
     * pinned: {@link #unmap} refuses the segment that holds it until {@link #unpin}.
     */
    public synchronized void pin(Object owner, long address, long length, String what) {
        pins.add(new Pin(owner, address, length, what));
    }

    /** Removes one pin {@code owner} holds at {@code address}; none is a no-op. */
    public synchronized void unpin(Object owner, long address) {
        for (int i = 0; i < pins.size(); i++) {
            if (pins.get(i).owner == owner && pins.get(i).address == address) {
                pins.remove(i);
                return;
            }
        }
    }

    /** Removes every pin {@code owner} holds (a controller reset). */
    public synchronized void unpinAll(Object owner) {
        pins.removeIf(p -> p.owner == owner);
    }

    /** Number of pinned ranges. */
    public synchronized int pins() {
        return pins.size();
    }

    /** Number of mapped segments. */
    public int mappings() {
        return table.bases.length;
    }

    /** Whether {@code [address, address + length)} lies inside one mapped segment. */
    public boolean isMapped(long address, long length) {
        return segmentFor(address, length) != null;
    }

    /**
     * The mapped segment that holds all of {@code [address, address + length)}, or {@code null};
     * the byte offset inside it is {@code address - segment.address()}. Allocates nothing.
     */
    public MemorySegment segmentFor(long address, long length) {
        if (length <= 0 || address < 0) {
            return null;
        }
        Table t = table;
        int slot = (int) (address >>> PAGE_SHIFT) & (TLB_ENTRIES - 1);
        int hit = t.tlb[slot]; // plain load: any index a racing thread left here is checked against this table below
        if (hit < t.bases.length && t.bases[hit] <= address && address < t.ends[hit] && length <= t.ends[hit] - address) {
            return t.segments[hit];
        }
        int at = insertionPoint(t.bases, address) - 1;
        if (at < 0) {
            return null;
        }
        long end = t.ends[at];
        if (address >= end || length > end - address) {
            return null;
        }
        t.tlb[slot] = at; // plain store: a hint only, an int is never torn
        return t.segments[at];
    }

    private static int insertionPoint(long[] bases, long address) {
        int lo = 0;
        int hi = bases.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bases[mid] <= address) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
