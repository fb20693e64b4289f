package dev.qpair.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory region ({@code ibv_mr}): a range of iovas the device may access through one key, with
 * access flags, in one protection domain. {@link #lkey()} and {@link #rkey()} are the same key,
 * {@code index << 8 | variant}, as in rxe; a peer can only use it for the remote access the flags grant.
 *
 * <p>A {@link MrType#DIRECT} region ({@link ProtectionDomain#regMr}) is valid from the start and is
 * re-registered with {@link #rereg}. A fast-registration region ({@link ProtectionDomain#allocMr})
 * starts invalid, is mapped with {@link #mapPages} or {@link #mapIndirect}, invalidated locally
 * ({@link #invalidate}, {@link KeyTable#localInvalidate}) or remotely ({@link KeyTable#remoteInvalidate}),
 * and mapped again. Each mapping and each re-registration gets the next 8-bit variant, so keys of
 * earlier registrations go stale. A valid region pins the memory it maps; invalidation and
 * deregistration unpin it.
 *
 * <p>All methods are control path: they take the table's monitor and may allocate.
 */
public final class MemoryRegion {

    /** Smallest page size of page-list registration. */
    public static final int MIN_PAGE_SIZE = 4096;
    /** Largest page size of page-list registration. */
    public static final int MAX_PAGE_SIZE = 2 << 20;

    private final ProtectionDomain pd;
    private final KeyTable table;
    private final MrType type;
    private final int maxEntries;
    private final int index;
    private final List<DmaMemory> pinned = new ArrayList<>();
    private final List<DmaMemory> pendingPins = new ArrayList<>();
    private volatile Mapping mapping;
    private boolean deregistered;

    MemoryRegion(ProtectionDomain pd, MrType type, int maxEntries, int index) {
        this.pd = pd;
        this.table = pd.table();
        this.type = type;
        this.maxEntries = maxEntries;
        this.index = index;
        this.mapping = Mapping.invalid(this, table.currentKey(index));
        table.publish(index, mapping);
    }

    /** The key for local access (SGEs of this PD's queue pairs). */
    public int lkey() {
        return mapping.key;
    }

    /** The key a peer names; the same value as {@link #lkey()}, usable only for the remote access granted. */
    public int rkey() {
        return mapping.key;
    }

    /** The protection domain. */
    public ProtectionDomain pd() {
        return pd;
    }

    /** The registration form. */
    public MrType type() {
        return type;
    }

    /** Pages ({@link MrType#PAGE_LIST}) or SGEs ({@link MrType#INDIRECT}) it can map; 1 for {@link MrType#DIRECT}. */
    public int maxEntries() {
        return maxEntries;
    }

    /** Whether it is mapped and not invalidated or deregistered. */
    public boolean isValid() {
        return mapping.valid;
    }

    /** Whether {@link #deregister()} has run. */
    public boolean isDeregistered() {
        synchronized (table) {
            return deregistered;
        }
    }

    /** The iova of its first byte; 0 while invalid. */
    public long iova() {
        return mapping.iova;
    }

    /** Its length in bytes; 0 while invalid. */
    public long length() {
        return mapping.length;
    }

    /** The {@link AccessFlags} it grants; 0 while invalid. */
    public int access() {
        return mapping.access;
    }

    /** The device the mapped memory is local to; {@code null} while invalid. */
    public DeviceId owner() {
        return mapping.owner;
    }

    /**
     * {@code ibv_rereg_mr} of a {@link MrType#DIRECT} region with a new translation, iova and
     * access: the same object, the next variant of its key. The old key goes stale at once.
     *
     * @return the new key
     * @throws IllegalArgumentException naming the argument, the value and the limit
     * @throws IllegalStateException    for other types, or after {@link #deregister()}
     */
    public int rereg(DmaMemory memory, long offset, long length, long iova, int access) {
        Check.notNull(memory, "memory");
        Check.slice(offset, length, memory.byteSize(), memory.toString());
        ProtectionDomain.checkIova(iova, length);
        AccessFlags.checkRegistration(access, "access");
        synchronized (table) {
            checkUsable(MrType.DIRECT, "rereg");
            return mapDirectLocked(memory, offset, length, iova, access);
        }
    }

    /** {@link #rereg(DmaMemory, long, long, long, int)} with iova = the address of the first byte. */
    public int rereg(DmaMemory memory, long offset, long length, int access) {
        Check.notNull(memory, "memory");
        return rereg(memory, offset, length, memory.segment().address() + offset, access);
    }

    /**
     * Fast registration ({@code ib_map_mr_sg} then {@code IB_WR_REG_MR}) of a {@link MrType#PAGE_LIST}
     * region: maps the scatter list as uniform pages. The rules: {@code pageSize} is a power of two
     * in [{@link #MIN_PAGE_SIZE}, {@link #MAX_PAGE_SIZE}]; only {@code sg[0]} may start at an offset
     * into its first page; only the last element may end before the end of its last page; the pages
     * fit in {@link #maxEntries()}; all elements are local to the same device. The iova is the
     * address of the first byte; the region must be invalid (freshly allocated or invalidated).
     *
     * @return the new key
     * @throws IllegalArgumentException naming the offending element's index and the rule it breaks
     * @throws IllegalStateException    when the region is valid, not {@link MrType#PAGE_LIST}, or deregistered
     */
    public int mapPages(int pageSize, int access, List<ScatterEntry> sg) {
        if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize = " + pageSize + " must be a power of two in ["
                    + MIN_PAGE_SIZE + ", " + MAX_PAGE_SIZE + "]");
        }
        AccessFlags.checkRegistration(access, "access");
        Check.notNull(sg, "sg");
        if (sg.isEmpty()) {
            throw new IllegalArgumentException("sg is empty: a page list needs at least 1 element");
        }
        int shift = Integer.numberOfTrailingZeros(pageSize);
        long mask = pageSize - 1L;
        synchronized (table) {
            checkUsable(MrType.PAGE_LIST, "mapPages");
            checkInvalid("mapPages");
            int n = sg.size();
            DeviceId owner = null;
            long pages = 0;
            long total = 0;
            for (int i = 0; i < n; i++) {
                ScatterEntry e = Check.notNull(sg.get(i), "sg[" + i + "]");
                checkOpen(e.memory(), "sg[" + i + "]");
                owner = checkOwner(owner, e.memory(), "sg", i);
                long start = e.address();
                long end = start + e.length();
                if (i > 0 && (start & mask) != 0) {
                    throw new IllegalArgumentException(String.format("sg[%d] starts at 0x%x, not on a %d-byte page "
                            + "boundary: only sg[0] may start at an offset into its first page", i, start, pageSize));
                }
                if (i < n - 1 && (end & mask) != 0) {
                    throw new IllegalArgumentException(String.format("sg[%d] ends at 0x%x, not on a %d-byte page "
                            + "boundary: only the last element (sg[%d]) may end before the end of its page",
                            i, end, pageSize, n - 1));
                }
                pages += (((end + mask) & ~mask) - (start & ~mask)) >>> shift;
                if (pages > maxEntries) {
                    throw new IllegalArgumentException("sg[" + i + "] brings the page count to " + pages
                            + " pages of " + pageSize + " bytes, more than the maxEntries = " + maxEntries
                            + " this region was allocated for");
                }
                total += e.length();
            }
            MemorySegment[] pageSegments = new MemorySegment[(int) pages];
            long[] pageOffsets = new long[(int) pages];
            int p = 0;
            for (ScatterEntry e : sg) {
                MemorySegment seg = e.memory().segment();
                long end = e.address() + e.length();
                for (long page = e.address() & ~mask; page < end; page += pageSize) {
                    pageSegments[p] = seg;
                    pageOffsets[p++] = page - seg.address();
                }
            }
            long iova = sg.get(0).address();
            List<DmaMemory> memories = new ArrayList<>(n);
            for (ScatterEntry e : sg) {
                memories.add(e.memory());
            }
            pinAll(memories);
            int key = table.nextKey(index);
            publish(Mapping.pages(this, key, access, iova, total, owner, shift, iova & mask, pageSegments, pageOffsets));
            return key;
        }
    }

    /** {@link #mapPages(int, int, List)} with the elements as varargs. */
    public int mapPages(int pageSize, int access, ScatterEntry... sg) {
        return mapPages(pageSize, access, List.of(Check.notNull(sg, "sg")));
    }

    /**
     * Indirect registration (seed 001) of a {@link MrType#INDIRECT} region: presents the
     * byte-aligned {@code sges} back to back as one region of their total length at
     * [{@code iova}, iova + total), under one key. Each element must name a valid direct or
     * page-list region of this PD with its bounds inside it; when {@code access} grants any write,
     * each element's region must grant {@link AccessFlags#LOCAL_WRITE}; all elements are local to one
     * device. An access through this region is refused as {@link AccessStatus#ELEMENT_INVALIDATED}
     * once an element's region is invalidated, re-registered or deregistered. The region must be
     * invalid (freshly allocated or invalidated).
     *
     * @return the new key
     * @throws IllegalArgumentException naming the offending element's index and why it is refused
     * @throws IllegalStateException    when the region is valid, not {@link MrType#INDIRECT}, or deregistered
     */
    public int mapIndirect(long iova, int access, List<Sge> sges) {
        AccessFlags.checkRegistration(access, "access");
        Check.notNull(sges, "sges");
        if (sges.isEmpty() || sges.size() > maxEntries) {
            throw new IllegalArgumentException("sges has " + sges.size() + " elements: an indirect region "
                    + "allocated for maxEntries = " + maxEntries + " maps 1 to " + maxEntries);
        }
        int need = (access & (AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE | AccessFlags.REMOTE_ATOMIC)) != 0
                ? AccessFlags.LOCAL_WRITE : 0;
        synchronized (table) {
            checkUsable(MrType.INDIRECT, "mapIndirect");
            checkInvalid("mapIndirect");
            Translation t = new Translation();
            List<Mapping> sources = new ArrayList<>();
            List<MemorySegment> segments = new ArrayList<>();
            List<long[]> ranges = new ArrayList<>();
            DeviceId owner = null;
            long total = 0;
            for (int i = 0; i < sges.size(); i++) {
                Sge s = Check.notNull(sges.get(i), "sges[" + i + "]");
                int status = table.lookup(s.lkey(), s.addr(), s.length(), need, pd, t);
                if (status != AccessStatus.OK) {
                    throw new IllegalArgumentException(String.format("sges[%d] (lkey 0x%08x, addr 0x%x, length %d) "
                            + "is refused with %s%s", i, s.lkey(), s.addr(), s.length(), AccessStatus.name(status),
                            status == AccessStatus.ACCESS_DENIED
                                    ? ": an indirect region that grants writes needs LOCAL_WRITE on every element's region"
                                    : ""));
                }
                Mapping source = t.memoryRegion().mapping;
                if (source.type == MrType.INDIRECT) {
                    throw new IllegalArgumentException(String.format("sges[%d] (lkey 0x%08x) names an indirect "
                            + "region: indirect regions do not nest", i, s.lkey()));
                }
                if (owner == null) {
                    owner = source.owner;
                } else if (!owner.equals(source.owner)) {
                    throw new IllegalArgumentException("sges[" + i + "] is local to " + source.owner.name()
                            + " but sges[0] to " + owner.name()
                            + ": one region never mixes memory local to different devices");
                }
                while (t.next()) {
                    sources.add(source);
                    segments.add(t.segment());
                    ranges.add(new long[] {total, t.offset(), t.length()});
                    total += t.length();
                }
            }
            ProtectionDomain.checkIova(iova, total);
            int pieces = sources.size();
            long[] starts = new long[pieces];
            long[] offsets = new long[pieces];
            long[] lengths = new long[pieces];
            int[] slots = new int[pieces];
            for (int i = 0; i < pieces; i++) {
                starts[i] = ranges.get(i)[0];
                offsets[i] = ranges.get(i)[1];
                lengths[i] = ranges.get(i)[2];
                slots[i] = sources.get(i).mr.index;
            }
            int key = table.nextKey(index);
            publish(Mapping.indirect(this, key, access, iova, total, owner, starts,
                    segments.toArray(MemorySegment[]::new), offsets, lengths, slots, sources.toArray(Mapping[]::new)));
            return key;
        }
    }

    /** {@link #mapIndirect(long, int, List)} with the elements as varargs. */
    public int mapIndirect(long iova, int access, Sge... sges) {
        return mapIndirect(iova, access, List.of(Check.notNull(sges, "sges")));
    }

    /**
     * Local invalidation by the application (what posting {@code IB_WR_LOCAL_INV} with this key
     * does): the key stays, accesses through it are refused as {@link AccessStatus#INVALIDATED},
     * the memory is unpinned. Invalidating an invalid region does nothing.
     *
     * @param key the key being invalidated: must be this region's current key
     * @throws IllegalArgumentException when {@code key} is not the current key, naming both
     * @throws IllegalStateException    for a {@link MrType#DIRECT} region, or after {@link #deregister()}
     */
    public void invalidate(int key) {
        synchronized (table) {
            if (deregistered) {
                throw new IllegalStateException(this + " is deregistered");
            }
            if (key != mapping.key) {
                throw new IllegalArgumentException(String.format("key = 0x%08x is not the current key 0x%08x of %s",
                        key, mapping.key, this));
            }
            if (type == MrType.DIRECT) {
                throw new IllegalStateException(this + " is a reg_mr region: it is deregistered or re-registered, "
                        + "not invalidated; invalidation is for PAGE_LIST and INDIRECT regions (allocMr)");
            }
            if (mapping.valid) {
                invalidateLocked();
            }
        }
    }

    /** {@code ibv_dereg_mr}: unpins the memory, frees the key's index. Idempotent. */
    public void deregister() {
        synchronized (table) {
            if (deregistered) {
                return;
            }
            releaseSlotLocked();
            pd.regionGone();
        }
    }

    int mapDirectLocked(DmaMemory memory, long offset, long length, long iova, int access) {
        checkOpen(memory, "memory");
        pinAll(List.of(memory));
        int key = mapping.valid ? table.nextKey(index) : table.currentKey(index);
        publish(Mapping.direct(this, key, access, iova, length, memory.owner(), memory.segment(), offset));
        return key;
    }

    void invalidateLocked() {
        publish(Mapping.invalid(this, mapping.key));
    }

    void releaseSlotLocked() {
        unpinAll();
        mapping = Mapping.invalid(this, mapping.key);
        table.freeSlot(index);
        deregistered = true;
    }

    private void publish(Mapping next) {
        List<DmaMemory> old = new ArrayList<>(pinned);
        pinned.clear();
        if (next.valid) {
            pinned.addAll(pendingPins);
        }
        pendingPins.clear();
        mapping = next;
        table.publish(index, next);
        for (DmaMemory m : old) {
            m.pins.unpin(this);
        }
    }

    private void pinAll(List<DmaMemory> memories) {
        int done = 0;
        try {
            for (DmaMemory m : memories) {
                m.pins.pin(this);
                done++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < done; i++) {
                memories.get(i).pins.unpin(this);
            }
            throw e;
        }
        pendingPins.addAll(memories);
    }

    private void unpinAll() {
        for (DmaMemory m : pinned) {
            m.pins.unpin(this);
        }
        pinned.clear();
    }

    private void checkUsable(MrType expected, String operation) {
        if (deregistered) {
            throw new IllegalStateException(operation + " on " + this + ", which is deregistered");
        }
        if (type != expected) {
            throw new IllegalStateException(operation + " needs a " + expected + " region; " + this + " is " + type);
        }
    }

    private void checkInvalid(String operation) {
        if (mapping.valid) {
            throw new IllegalStateException(operation + " on " + this + ", which is valid: invalidate it first "
                    + "(a fast-registration region is only mapped while invalid)");
        }
    }

    private static void checkOpen(DmaMemory memory, String name) {
        if (!memory.isOpen()) {
            throw new IllegalArgumentException(name + " = " + memory + " is closed");
        }
    }

    private static DeviceId checkOwner(DeviceId owner, DmaMemory memory, String name, int i) {
        if (owner == null) {
            return memory.owner();
        }
        if (!owner.equals(memory.owner())) {
            throw new IllegalArgumentException(name + "[" + i + "] is local to " + memory.owner().name() + " but "
                    + name + "[0] to " + owner.name() + ": one region never mixes memory local to different devices");
        }
        return owner;
    }

    @Override
    public String toString() {
        Mapping m = mapping;
        return String.format("MR[key=0x%08x, %s, pd=%d, %s, iova=0x%x, length=%d, access=%s]", m.key, type, pd.id(),
                m.valid ? "valid" : "invalid", m.iova, m.length, AccessFlags.toString(m.access));
    }
}
