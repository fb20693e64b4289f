package dev.qpair.stress.barriers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link dev.qpair.barriers.DoorbellLock} with the {@code mmiowb()} taken out of its unlock: the
 * handover store is opaque and nothing orders the critical section before it. For the negative
 * control {@link DoorbellsWithoutMmiowb} only.
 */
final class TicketLockWithoutMmiowb {

    private static final VarHandle NEXT_TICKET;
    private static final VarHandle OWNER_TICKET;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_TICKET = lookup.findVarHandle(TicketLockWithoutMmiowb.class, "nextTicket", int.class);
            OWNER_TICKET = lookup.findVarHandle(TicketLockWithoutMmiowb.class, "ownerTicket", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private int nextTicket;
    @SuppressWarnings("unused")
    private int ownerTicket;

    void lock() {
        int ticket = (int) NEXT_TICKET.getAndAdd(this, 1); // spin_lock(): atomic ticket grab, full fence
        while ((int) OWNER_TICKET.getAcquire(this) != ticket) { // spin_lock(): acquire the previous holder's stores
            Thread.onSpinWait();
        }
    }

    void unlock() {
        int owner = (int) OWNER_TICKET.getOpaque(this); // READ_ONCE(): only the holder writes the owner ticket
        OWNER_TICKET.setOpaque(this, owner + 1); // the handover with no mmiowb(): orders nothing before it
    }
}
