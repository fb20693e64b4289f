package dev.qpair.memory;

/**
 * A protection domain ({@code ibv_pd}): memory regions and queue pairs of one PD only ever meet
 * each other; an access through a key of another PD is refused as {@link AccessStatus#WRONG_PD}.
 *
 * <p>There is deliberately no global rkey and no "register all memory": see {@link #unsafeGlobalRkey()}.
 */
public final class ProtectionDomain {

    /** Most entries (pages or elements) a fast-registration region may be allocated for. */
    public static final int MAX_ENTRIES = 1 << 16;

    private final KeyTable table;
    private final int id;
    private int regionCount;
    private boolean deallocated;

    ProtectionDomain(KeyTable table, int id) {
        this.table = table;
        this.id = id;
    }

    /** The PD number, unique within its {@link KeyTable}. */
    public int id() {
        return id;
    }

    /** The table (device) it belongs to. */
    public KeyTable table() {
        return table;
    }

    /** {@code ibv_reg_mr} over all of {@code memory}, with iova = its address. */
    public MemoryRegion regMr(DmaMemory memory, int access) {
        Check.notNull(memory, "memory");
        return regMr(memory, 0, memory.byteSize(), memory.segment().address(), access);
    }

    /** {@code ibv_reg_mr} over {@code length} bytes at {@code offset} in {@code memory}, with iova = their address. */
    public MemoryRegion regMr(DmaMemory memory, long offset, long length, int access) {
        Check.notNull(memory, "memory");
        return regMr(memory, offset, length, memory.segment().address() + offset, access);
    }

    /**
     * {@code ibv_reg_mr_iova}: registers {@code length} bytes at {@code offset} in {@code memory},
     * addressed on the wire as [iova, iova + length). Pins the memory: it cannot be closed until
     * the region is deregistered.
     *
     * @param iova   unsigned; {@code iova + length} must not pass 2^64
     * @param access {@link AccessFlags}; remote write or atomic needs local write
     * @throws IllegalArgumentException naming the argument, the value and the limit
     * @throws IllegalStateException    when the memory is closed, the PD deallocated or the table full
     */
    public MemoryRegion regMr(DmaMemory memory, long offset, long length, long iova, int access) {
        Check.notNull(memory, "memory");
        Check.slice(offset, length, memory.byteSize(), memory.toString());
        checkIova(iova, length);
        AccessFlags.checkRegistration(access, "access");
        synchronized (table) {
            checkUsable();
            MemoryRegion mr = new MemoryRegion(this, MrType.DIRECT, 1, table.allocSlot());
            try {
                mr.mapDirectLocked(memory, offset, length, iova, access);
            } catch (RuntimeException e) {
                mr.releaseSlotLocked();
                throw e;
            }
            regionCount++;
            return mr;
        }
    }

    /**
     * {@code ib_alloc_mr}: a fast-registration region of {@code type} {@link MrType#PAGE_LIST} (for
     * up to {@code maxEntries} pages) or {@link MrType#INDIRECT} (up to {@code maxEntries} SGEs). It
     * starts invalid; {@link MemoryRegion#mapPages} or {@link MemoryRegion#mapIndirect} maps it.
     *
     * @throws IllegalArgumentException for {@link MrType#DIRECT} or {@code maxEntries} outside [1, {@link #MAX_ENTRIES}]
     */
    public MemoryRegion allocMr(MrType type, int maxEntries) {
        Check.notNull(type, "type");
        if (type == MrType.DIRECT) {
            throw new IllegalArgumentException("type = DIRECT: a direct region is made by regMr, allocMr makes "
                    + "PAGE_LIST or INDIRECT fast-registration regions");
        }
        Check.inRange(maxEntries, "maxEntries", 1, MAX_ENTRIES);
        synchronized (table) {
            checkUsable();
            MemoryRegion mr = new MemoryRegion(this, type, maxEntries, table.allocSlot());
            regionCount++;
            return mr;
        }
    }

    /**
     * Always refuses. {@code IB_PD_UNSAFE_GLOBAL_RKEY} hands a peer a key to every byte of the
     * host's memory, valid for as long as the PD lives: one bug or one malicious peer reads or
     * overwrites anything. Upstream Linux refuses new code that uses it (seed 002). Register the
     * buffers an operation uses, with the access it needs, and invalidate them when it completes;
     * an {@link MrPool} makes that cheap.
     *
     * @throws UnsupportedOperationException always, saying why
     */
    public int unsafeGlobalRkey() {
        throw new UnsupportedOperationException("no global rkey: a key that exposes all memory to every peer "
                + "for the life of the PD (IB_PD_UNSAFE_GLOBAL_RKEY) is refused by design; register the buffers "
                + "each operation uses with regMr, mapPages or mapIndirect (MrPool keeps that cheap) and "
                + "invalidate them when it completes");
    }

    /** How many memory regions of this PD exist (valid or not). */
    public int regionCount() {
        synchronized (table) {
            return regionCount;
        }
    }

    /**
     * {@code ibv_dealloc_pd}. Idempotent.
     *
     * @throws IllegalStateException while memory regions of this PD exist, naming how many
     */
    public void dealloc() {
        synchronized (table) {
            if (regionCount > 0) {
                throw new IllegalStateException("cannot deallocate PD " + id + ": " + regionCount
                        + " memory region(s) still belong to it; deregister them first (EBUSY)");
            }
            deallocated = true;
        }
    }

    void regionGone() {
        regionCount--;
    }

    private void checkUsable() {
        if (deallocated) {
            throw new IllegalStateException("PD " + id + " is deallocated");
        }
    }

    static void checkIova(long iova, long length) {
        if (Long.compareUnsigned(iova, -length) > 0) {
            throw new IllegalArgumentException(String.format("iova = 0x%x with length = %d passes 2^64: "
                    + "iova must be at most 0x%x", iova, length, -length));
        }
    }

    @Override
    public String toString() {
        return "PD[" + id + "]";
    }
}
