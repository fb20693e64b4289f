package dev.qpair.hca;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A reentrant spin lock for the engine's short critical sections (a QP's responder, a CQ's
 * producer side). Reentrant because an engine pass that holds a responder may move that QP to
 * ERR, which flushes its receives under the same lock. Allocation-free, also under contention.
 * Padded by 128 bytes on each side, so no object allocated next to it shares its line.
 */
final class SpinLock extends SpinLockFields {

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(SpinLockFields.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    byte r000, r001, r002, r003, r004, r005, r006, r007, r008, r009, r010, r011, r012, r013, r014, r015;
    byte r016, r017, r018, r019, r020, r021, r022, r023, r024, r025, r026, r027, r028, r029, r030, r031;
    byte r032, r033, r034, r035, r036, r037, r038, r039, r040, r041, r042, r043, r044, r045, r046, r047;
    byte r048, r049, r050, r051, r052, r053, r054, r055, r056, r057, r058, r059, r060, r061, r062, r063;
    byte r064, r065, r066, r067, r068, r069, r070, r071, r072, r073, r074, r075, r076, r077, r078, r079;
    byte r080, r081, r082, r083, r084, r085, r086, r087, r088, r089, r090, r091, r092, r093, r094, r095;
    byte r096, r097, r098, r099, r100, r101, r102, r103, r104, r105, r106, r107, r108, r109, r110, r111;
    byte r112, r113, r114, r115, r116, r117, r118, r119, r120, r121, r122, r123, r124, r125, r126, r127;

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
