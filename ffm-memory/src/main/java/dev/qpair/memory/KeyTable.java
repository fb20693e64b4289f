package dev.qpair.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A device's memory protection table: the memory regions of all its protection domains, indexed by
 * the upper 24 bits of their keys, and the one lookup the device uses for every access it makes.
 *
 * <p>A key is {@code index << 8 | variant}. Index 0 is never used, so a zeroed descriptor never
 * names a region. The 8-bit variant of an index moves on at each re-registration and at each
 * deregistration, so a key from an earlier registration is refused as {@link AccessStatus#STALE_KEY}
 * (until the variant wraps after 256 registrations of the same index, as on hardware). Invalidation
 * keeps the key, as {@code IB_WR_LOCAL_INV} does; the key is then refused as
 * {@link AccessStatus#INVALIDATED} until the region is mapped again under its next variant.
 *
 * <h2>Concurrency</h2>
 * Registration, re-registration, invalidation and deregistration are control-path operations,
 * serialized by this table's monitor. Each builds a new immutable mapping and publishes it in the
 * table slot with a release store; {@link #lookup} loads the slot with an acquire load and reads
 * only that mapping, so it sees one registration whole, never a mix, without a lock and without
 * allocating. This is RCU's publication pattern ({@code rcu_assign_pointer} /
 * {@code rcu_dereference}). A lookup granted before an invalidation or deregistration may still be
 * copying after it, like a DMA already in flight (rxe's invalidation does not wait either); ordering
 * a {@code LOCAL_INV} after the earlier work requests of a queue pair is the engine's job. Memory
 * closed after deregistration is never touched: its shared arena makes such a late copy throw
 * {@link IllegalStateException}, which the engine turns into an error completion.
 */
public final class KeyTable {

    /** The largest table: the index has 24 bits and index 0 is reserved. */
    public static final int MAX_REGIONS = (1 << 24) - 1;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Mapping[].class);

    private final Mapping[] slots;
    private final int[] variants;
    private final int[] free;
    private int freeHead;
    private int freeCount;
    private int nextPdId = 1;
    private int regionCount;

    private KeyTable(int maxRegions) {
        slots = new Mapping[maxRegions + 1];
        variants = new int[maxRegions + 1];
        free = new int[maxRegions];
        for (int i = 0; i < maxRegions; i++) {
            free[i] = i + 1;
        }
        freeCount = maxRegions;
    }

    /**
     * Creates a table for up to {@code maxRegions} memory regions ({@code max_mr}).
     *
     * @throws IllegalArgumentException when {@code maxRegions} is outside [1, {@link #MAX_REGIONS}]
     */
    public static KeyTable create(int maxRegions) {
        return new KeyTable(Check.inRange(maxRegions, "maxRegions", 1, MAX_REGIONS));
    }

    /** {@code ibv_alloc_pd}: a new protection domain of this device. */
    public synchronized ProtectionDomain allocPd() {
        if (nextPdId == Integer.MAX_VALUE) {
            throw new IllegalStateException("protection domain ids are exhausted (" + Integer.MAX_VALUE + ")");
        }
        return new ProtectionDomain(this, nextPdId++);
    }

    /** How many memory regions this table holds (at most {@link #maxRegions()}). */
    public synchronized int regionCount() {
        return regionCount;
    }

    /** The {@code maxRegions} it was created with. */
    public int maxRegions() {
        return slots.length - 1;
    }

    /**
     * Checks one access by the device and translates it: the single lookup path for every local
     * SGE, every rkey from the wire and every atomic. O(1) in the number of regions; for an indirect
     * region, O(log e) to find the first of its e elements plus O(k) for the k elements spanned.
     * Allocates nothing and never throws for untrusted input: {@code key}, {@code addr},
     * {@code length} and {@code access} may be anything.
     *
     * <p>A zero-length access is granted without looking at the key (IBTA C9-88: a zero-length
     * RDMA operation does not validate the R_Key; rxe skips the lkey of a zero-length SGE), with no
     * pieces. Otherwise refusals are checked in this order: {@link AccessStatus#OUT_OF_BOUNDS} for a
     * negative length, {@link AccessStatus#BAD_KEY}, {@link AccessStatus#STALE_KEY},
     * {@link AccessStatus#WRONG_PD}, {@link AccessStatus#INVALIDATED}, {@link AccessStatus#ACCESS_DENIED},
     * {@link AccessStatus#OUT_OF_BOUNDS}, {@link AccessStatus#MISALIGNED_ATOMIC} when {@code access}
     * has {@link AccessFlags#REMOTE_ATOMIC} and the length is not 8 or the iova not 8-byte aligned,
     * {@link AccessStatus#ELEMENT_INVALIDATED} when a spanned element of an indirect region changed,
     * and last {@link AccessStatus#MISALIGNED_ATOMIC} when an atomic's 8 bytes are not one piece (one
     * contiguous run of pages, one element) or their memory address is not 8-byte aligned.
     *
     * @param key    the lkey or rkey
     * @param addr   iova of the first byte, unsigned, in the region's address space
     * @param length bytes
     * @param access the {@link AccessFlags} the access needs; 0 for a local read
     * @param pd     the protection domain of the queue pair making the access
     * @param result receives the status and, when granted, the cursor over the pieces; reused
     * @return the status, also in {@code result}
     */
    public int lookup(int key, long addr, long length, int access, ProtectionDomain pd, Translation result) {
        if (length == 0) {
            result.grant(null, 0, 0, 0);
            return AccessStatus.OK;
        }
        if (length < 0) {
            return result.refuse(AccessStatus.OUT_OF_BOUNDS);
        }
        int index = key >>> 8;
        if (index == 0 || index >= slots.length) {
            return result.refuse(AccessStatus.BAD_KEY);
        }
        Mapping m = (Mapping) SLOTS.getAcquire(slots, index); // rcu_dereference(): the slot load before the loads of the mapping it names
        if (m == null) {
            return result.refuse(AccessStatus.BAD_KEY);
        }
        if (m.key != key) {
            return result.refuse(AccessStatus.STALE_KEY);
        }
        if (m.pd != pd) {
            return result.refuse(AccessStatus.WRONG_PD);
        }
        if (!m.valid) {
            return result.refuse(AccessStatus.INVALIDATED);
        }
        if ((access & ~m.access) != 0) {
            return result.refuse(AccessStatus.ACCESS_DENIED);
        }
        // Bounds: offset = addr - iova modulo 2^64 is below the region's length exactly when addr is
        // inside it (registration refuses regions that wrap past 2^64), and then length fits when it
        // is at most length - offset: no sum is formed, so nothing overflows.
        long offset = addr - m.iova;
        if (Long.compareUnsigned(offset, m.length) >= 0 || length > m.length - offset) {
            return result.refuse(AccessStatus.OUT_OF_BOUNDS);
        }
        boolean atomic = (access & AccessFlags.REMOTE_ATOMIC) != 0;
        if (atomic && (length != Long.BYTES || (addr & (Long.BYTES - 1)) != 0)) {
            return result.refuse(AccessStatus.MISALIGNED_ATOMIC);
        }
        if (grantPieces(m, offset, length, result) != AccessStatus.OK) {
            return AccessStatus.ELEMENT_INVALIDATED;
        }
        if (atomic && !result.firstPieceAligned(Long.BYTES)) {
            return result.refuse(AccessStatus.MISALIGNED_ATOMIC);
        }
        return AccessStatus.OK;
    }

    /** Grants {@code length} bytes at {@code offset} of {@code m}, unless a spanned element of an indirect region changed. */
    private int grantPieces(Mapping m, long offset, long length, Translation result) {
        int firstPiece = 0;
        if (m.type == MrType.INDIRECT) {
            firstPiece = m.pieceAt(offset);
            if (!elementsCurrent(m, firstPiece, offset + length)) {
                return result.refuse(AccessStatus.ELEMENT_INVALIDATED);
            }
        }
        result.grant(m, offset, length, firstPiece);
        return AccessStatus.OK;
    }

    /** Whether every element of indirect region {@code m} from piece {@code first} up to byte {@code end} still maps what it did at registration. */
    private boolean elementsCurrent(Mapping m, int first, long end) {
        for (int i = first; i < m.pieceStarts.length && m.pieceStarts[i] < end; i++) {
            if (SLOTS.getAcquire(slots, m.pieceSlots[i]) != m.pieceSources[i]) { // rcu_dereference(): the element's current mapping before the copy that relies on it
                return false;
            }
        }
        return true;
    }

    /**
     * Invalidates the fast-registration region named by {@code key}, as the device does for an
     * {@code IB_WR_LOCAL_INV} posted on a queue pair of {@code pd}. Invalidating an invalid region
     * changes nothing and succeeds.
     *
     * @return {@link AccessStatus#OK}, or {@link AccessStatus#BAD_KEY}, {@link AccessStatus#STALE_KEY},
     *         {@link AccessStatus#WRONG_PD}, {@link AccessStatus#NOT_INVALIDATABLE}
     */
    public synchronized int localInvalidate(int key, ProtectionDomain pd) {
        return invalidate(key, pd, false);
    }

    /**
     * Invalidates the region named by an rkey that arrived in a SEND_WITH_INV to a queue pair of
     * {@code pd}. As {@link #localInvalidate}, and the region must grant some remote access: a key
     * that was never meant for the wire cannot be invalidated from it ({@link AccessStatus#ACCESS_DENIED}).
     */
    public synchronized int remoteInvalidate(int rkey, ProtectionDomain pd) {
        return invalidate(rkey, pd, true);
    }

    private int invalidate(int key, ProtectionDomain pd, boolean remote) {
        int index = key >>> 8;
        Mapping m = index == 0 || index >= slots.length ? null : slots[index];
        if (m == null) {
            return AccessStatus.BAD_KEY;
        }
        if (m.key != key) {
            return AccessStatus.STALE_KEY;
        }
        if (m.pd != pd) {
            return AccessStatus.WRONG_PD;
        }
        if (m.type == MrType.DIRECT) {
            return AccessStatus.NOT_INVALIDATABLE;
        }
        if (!m.valid) {
            return AccessStatus.OK;
        }
        if (remote && (m.access & AccessFlags.ANY_REMOTE) == 0) {
            return AccessStatus.ACCESS_DENIED;
        }
        m.mr.invalidateLocked();
        return AccessStatus.OK;
    }

    int allocSlot() {
        if (freeCount == 0) {
            throw new IllegalStateException("the key table is full: all " + maxRegions()
                    + " memory regions (maxRegions) are in use; deregister some first");
        }
        int index = free[freeHead];
        freeHead = (freeHead + 1) % free.length;
        freeCount--;
        regionCount++;
        return index;
    }

    void freeSlot(int index) {
        SLOTS.setRelease(slots, index, (Mapping) null); // rcu_assign_pointer(NULL): unpublish before the index can be reused
        variants[index] = (variants[index] + 1) & 0xff;
        free[(freeHead + freeCount) % free.length] = index;
        freeCount++;
        regionCount--;
    }

    int currentKey(int index) {
        return index << 8 | variants[index];
    }

    int nextKey(int index) {
        variants[index] = (variants[index] + 1) & 0xff;
        return currentKey(index);
    }

    void publish(int index, Mapping mapping) {
        SLOTS.setRelease(slots, index, mapping); // rcu_assign_pointer(): the mapping's fields before the pointer that publishes it
    }

    Mapping current(int index) {
        return slots[index];
    }
}
