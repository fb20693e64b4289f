package dev.qpair.memory;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Preallocated fast-registration memory regions, sized from a hint such as "up to 16 concurrent
 * operations of up to 1 MiB" (seed 000), so the datapath never allocates one. An empty pool is an
 * ordinary condition: {@link #tryAcquire()} answers {@code null} and counts a miss, the caller backs
 * off (typically: reap completions, which release regions) or waits with {@link #acquire}. The
 * counters let a service report how often it ran dry.
 *
 * <p>{@link #tryAcquire()} and {@link #release} allocate nothing; {@link #release} of a still-valid
 * region invalidates it first (a control-path step that does allocate its new mapping).
 */
public final class MrPool implements AutoCloseable {

    /** Most regions one pool holds. */
    public static final int MAX_OPERATIONS = 1 << 16;

    private final ProtectionDomain pd;
    private final MrType type;
    private final int maxEntries;
    private final MemoryRegion[] all;
    private final Map<MemoryRegion, Integer> slotOf = new IdentityHashMap<>();
    private final boolean[] out;
    private final MemoryRegion[] free;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private int freeCount;
    private long acquired;
    private long misses;
    private long waits;
    private boolean closed;

    private MrPool(ProtectionDomain pd, MrType type, int maxOperations, int maxEntries) {
        this.pd = pd;
        this.type = type;
        this.maxEntries = maxEntries;
        this.all = new MemoryRegion[maxOperations];
        this.out = new boolean[maxOperations];
        this.free = new MemoryRegion[maxOperations];
        try {
            for (int i = 0; i < maxOperations; i++) {
                all[i] = pd.allocMr(type, maxEntries);
                slotOf.put(all[i], i);
                free[freeCount++] = all[i];
            }
        } catch (RuntimeException e) {
            for (MemoryRegion mr : all) {
                if (mr != null) {
                    mr.deregister();
                }
            }
            throw e;
        }
    }

    /**
     * A pool of {@link MrType#PAGE_LIST} regions for {@code maxOperations} concurrent operations of
     * up to {@code maxBytesPerOperation} bytes each in pages of {@code pageSize}: each region maps
     * {@code ceil(maxBytesPerOperation / pageSize) + 1} pages, the extra page for a first element
     * that starts at an offset.
     *
     * @throws IllegalArgumentException naming the argument, the value and the limit
     * @throws IllegalStateException    when the key table has no room for them (nothing is kept)
     */
    public static MrPool pageList(ProtectionDomain pd, int maxOperations, long maxBytesPerOperation, int pageSize) {
        Check.notNull(pd, "pd");
        Check.inRange(maxOperations, "maxOperations", 1, MAX_OPERATIONS);
        if (pageSize < MemoryRegion.MIN_PAGE_SIZE || pageSize > MemoryRegion.MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize = " + pageSize + " must be a power of two in ["
                    + MemoryRegion.MIN_PAGE_SIZE + ", " + MemoryRegion.MAX_PAGE_SIZE + "]");
        }
        long maxBytes = (long) (ProtectionDomain.MAX_ENTRIES - 1) * pageSize;
        Check.inRange(maxBytesPerOperation, "maxBytesPerOperation", 1, maxBytes);
        int pages = (int) ((maxBytesPerOperation + pageSize - 1) / pageSize) + 1;
        return new MrPool(pd, MrType.PAGE_LIST, maxOperations, pages);
    }

    /**
     * A pool of {@link MrType#INDIRECT} regions for {@code maxOperations} concurrent operations of
     * up to {@code maxSgesPerOperation} byte-aligned SGEs each.
     *
     * @throws IllegalArgumentException naming the argument, the value and the limit
     */
    public static MrPool indirect(ProtectionDomain pd, int maxOperations, int maxSgesPerOperation) {
        Check.notNull(pd, "pd");
        Check.inRange(maxOperations, "maxOperations", 1, MAX_OPERATIONS);
        Check.inRange(maxSgesPerOperation, "maxSgesPerOperation", 1, ProtectionDomain.MAX_ENTRIES);
        return new MrPool(pd, MrType.INDIRECT, maxOperations, maxSgesPerOperation);
    }

    /** An invalid region ready to map, or {@code null} when every region is in use (counted as a miss). */
    public MemoryRegion tryAcquire() {
        lock.lock();
        try {
            checkOpen();
            return takeLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for a region.
     *
     * @return a region, or {@code null} when none came back in time
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public MemoryRegion acquire(long timeout, TimeUnit unit) throws InterruptedException {
        Check.inRange(timeout, "timeout", 0, Long.MAX_VALUE);
        Check.notNull(unit, "unit");
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            checkOpen();
            if (freeCount == 0) {
                waits++;
            }
            while (freeCount == 0 && nanos > 0) {
                nanos = returned.awaitNanos(nanos);
                checkOpen();
            }
            return takeLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a region back; invalidates it first if it is still valid.
     *
     * @throws IllegalArgumentException when it is not from this pool or not acquired
     */
    public void release(MemoryRegion mr) {
        Check.notNull(mr, "mr");
        Integer slot = slotOf.get(mr);
        if (slot == null) {
            throw new IllegalArgumentException("mr = " + mr + " is not from this pool");
        }
        lock.lock();
        try {
            if (!out[slot]) {
                throw new IllegalArgumentException("mr = " + mr + " is not acquired: released twice?");
            }
            if (mr.isValid()) {
                mr.invalidate(mr.lkey());
            }
            out[slot] = false;
            free[freeCount++] = mr;
            returned.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Regions in the pool. */
    public int capacity() {
        return all.length;
    }

    /** Pages or SGEs each region maps. */
    public int maxEntries() {
        return maxEntries;
    }

    /** The registration form of its regions. */
    public MrType type() {
        return type;
    }

    /** The protection domain of its regions. */
    public ProtectionDomain pd() {
        return pd;
    }

    /** Regions ready to acquire now. */
    public int available() {
        lock.lock();
        try {
            return freeCount;
        } finally {
            lock.unlock();
        }
    }

    /** Regions acquired and not yet released. */
    public int inUse() {
        return capacity() - available();
    }

    /** Successful acquisitions so far. */
    public long acquired() {
        lock.lock();
        try {
            return acquired;
        } finally {
            lock.unlock();
        }
    }

    /** Acquisitions that found the pool empty ({@link #tryAcquire()} returning {@code null}, timed-out waits). */
    public long misses() {
        lock.lock();
        try {
            return misses;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #acquire} calls that had to wait. */
    public long waits() {
        lock.lock();
        try {
            return waits;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deregisters every region. Idempotent.
     *
     * @throws IllegalStateException while regions are acquired, naming how many
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (freeCount != all.length) {
                throw new IllegalStateException("cannot close the pool: " + (all.length - freeCount) + " of its "
                        + all.length + " regions are still acquired");
            }
            closed = true;
            returned.signalAll();
        } finally {
            lock.unlock();
        }
        for (MemoryRegion mr : all) {
            mr.deregister();
        }
    }

    private MemoryRegion takeLocked() {
        if (freeCount == 0) {
            misses++;
            return null;
        }
        MemoryRegion mr = free[--freeCount];
        free[freeCount] = null;
        out[slotOf.get(mr)] = true;
        acquired++;
        return mr;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
    }

    @Override
    public String toString() {
        return "MrPool[" + type + ", capacity=" + capacity() + ", maxEntries=" + maxEntries + ", available="
                + available() + "]";
    }
}
