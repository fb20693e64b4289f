package dev.qpair.hca;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A reentrant spin lock for the engine's short critical sections (a QP's responder, a CQ's
 * producer side). Reentrant because an engine pass that holds a responder may move that QP to
 * ERR, which flushes its receives under the same lock. Allocation-free, also under contention.
 */
final class SpinLock {

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(SpinLock.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile Thread owner;
    private int holds;

    void lock() {
        Thread me = Thread.currentThread();
        if ((Thread) OWNER.getOpaque(this) == me) {
            holds++;
            return;
        }
        int spins = 0;
        while (!OWNER.compareAndSet(this, (Thread) null, me)) { // spin_lock(): CAS acquires the previous holder's stores
            if (++spins < 1024) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        holds = 1;
    }

    void unlock() {
        if (--holds == 0) {
            OWNER.setRelease(this, (Thread) null); // spin_unlock(): critical-section stores before the release
        }
    }
}
