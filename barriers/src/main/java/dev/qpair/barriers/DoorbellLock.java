package dev.qpair.barriers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fair ticket spinlock for queues shared by several posting threads, with the {@code mmiowb()}
 * discipline built into {@link #unlock()}: doorbells rung inside the critical section reach the
 * device before the next holder's doorbells, so the device sees producer indices in lock order.
 *
 * <p>This is the contract Linux 5.2 folded into {@code spin_unlock()}. Here it is literal: the
 * unlock's handover store is opaque, and only the {@code mmiowb()} release fence before it orders
 * the critical section's doorbells before the next holder's ({@code MmiowbOrdersDoorbellsByLock} in
 * {@code stress} checks it; {@code DoorbellsWithoutMmiowb} shows what the fence prevents). A
 * single-producer queue does not need the lock: posting from one thread is lock-free. Holders are
 * served in arrival order; a waiter that spins for long yields its core, which matters on machines
 * with few cores.
 *
 * <p>The lock is not reentrant. {@link #unlock()} by a thread that does not hold the lock throws
 * {@link IllegalMonitorStateException}. Nothing here allocates.
 */
public final class DoorbellLock {

    private static final VarHandle NEXT_TICKET;
    private static final VarHandle OWNER_TICKET;
    private static final VarHandle HOLDER;
    private static final int SPINS_BEFORE_YIELD = 1 << 10;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_TICKET = lookup.findVarHandle(DoorbellLock.class, "nextTicket", int.class);
            OWNER_TICKET = lookup.findVarHandle(DoorbellLock.class, "ownerTicket", int.class);
            HOLDER = lookup.findVarHandle(DoorbellLock.class, "holder", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private int nextTicket;
    @SuppressWarnings("unused")
    private int ownerTicket;
    @SuppressWarnings("unused")
    private Thread holder;

    /** Takes the lock, spinning (then yielding) until this caller's ticket is served. */
    public void lock() {
        int ticket = (int) NEXT_TICKET.getAndAdd(this, 1); // spin_lock(): atomic ticket grab, full fence
        int spins = 0;
        while ((int) OWNER_TICKET.getAcquire(this) != ticket) { // spin_lock(): acquire the previous holder's stores
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        HOLDER.setOpaque(this, Thread.currentThread()); // WRITE_ONCE(): diagnostic only, ordered by the ticket handover
    }

    /**
     * Takes the lock if it is free right now.
     *
     * @return {@code true} when the caller now holds the lock
     */
    public boolean tryLock() {
        int owner = (int) OWNER_TICKET.getAcquire(this); // spin_trylock(): acquire the previous holder's stores
        if (!NEXT_TICKET.compareAndSet(this, owner, owner + 1)) { // spin_trylock(): ticket grab only if nobody waits
            return false;
        }
        HOLDER.setOpaque(this, Thread.currentThread()); // WRITE_ONCE(): diagnostic only, ordered by the ticket handover
        return true;
    }

    /**
     * Releases the lock after an {@code mmiowb()}: every doorbell written while holding it is
     * ordered before the next holder's.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     */
    public void unlock() {
        Thread current = Thread.currentThread();
        if ((Thread) HOLDER.getOpaque(this) != current) { // READ_ONCE(): diagnostic only, orders nothing
            throw new IllegalMonitorStateException("DoorbellLock.unlock() by thread '" + current.getName()
                    + "', which does not hold the lock");
        }
        HOLDER.setOpaque(this, null); // WRITE_ONCE(): diagnostic only, orders nothing
        int owner = (int) OWNER_TICKET.getOpaque(this); // READ_ONCE(): only the holder writes the owner ticket
        Barriers.mmiowb(); // mmiowb(): the critical section's doorbell and ring stores before the handover below
        OWNER_TICKET.setOpaque(this, owner + 1); // spin_unlock()'s store: ordered by the mmiowb() above, not by itself
    }

    /** Whether the calling thread holds the lock; for assertions and diagnostics. */
    public boolean isHeldByCurrentThread() {
        return (Thread) HOLDER.getOpaque(this) == Thread.currentThread(); // READ_ONCE(): diagnostic only
    }
}
