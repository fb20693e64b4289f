package dev.qpair.hca;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.memory.ProtectionDomain;
import dev.qpair.rings.DoorbellRecord;
import java.lang.foreign.MemorySegment;

/**
 * A QP's responder: the device's view of its receive queue and expected PSN, entered by the peer's
 * requester pass (in INLINE mode: the peer's posting thread) under {@link #lock()}.
 *
 * <p><b>Lines.</b> The fields the requester writes per message ({@code deviceRq}, the PSN, the
 * cached receive producer index, the lock) sit on lines of their own, padded 128 bytes on each
 * side; the fields the receiving host reads ({@link #rnrNaked()}, the state mirror, the ring's
 * geometry) sit on other lines that change only on RNR and state changes. So a delivered SEND
 * takes no line the receiving application thread writes, and the host's post and poll take none
 * the responder writes, apart from the receive WQEs and the CQE themselves.
 *
 * <p><b>Receive read-ahead.</b> The responder caches the host's receive producer index and reads
 * the doorbell record (with acquire) only when the cached copy says the queue is empty; one read
 * then covers every WQE below the index. Each time the responder enters a stretch of posted WQEs
 * it has not read yet, it reads the lines of up to {@link #READ_AHEAD} of them at once, so their
 * transfers from the posting core overlap instead of coming one per message. Both happen after a
 * delivery's CQE is published, for the next delivery ({@link #recvDelivered()}), so that a
 * message that starts a new stretch does not wait for them; a delivery finds them done unless the
 * host posted after the previous delivery ended. It never reads past the producer index it
 * acquired; a WQE's fields are parsed, and its lkeys looked up, when it is consumed, so an MR
 * invalidated meanwhile is refused as it would be without the read-ahead.
 */
final class Responder extends ResponderPadTail {

    /** Receive WQEs whose lines one read-ahead brings over. */
    static final int READ_AHEAD = 16;

    Responder(QueuePair qp, MemorySegment ring, int stride, int capacity, MemorySegment record, CompletionQueue recvCq,
            ProtectionDomain pd, int qpn, int maxSges) {
        super(qp, ring, stride, capacity, record, recvCq, pd, qpn, maxSges);
    }

    /** Takes the responder (reentrant: a responder error flushes the same QP's receives under it). */
    void lock() {
        long me = Thread.currentThread().threadId();
        if ((long) OWNER.getOpaque(this) == me) { // READ_ONCE(): only the owner itself can see its own id here; orders nothing
            holds++;
            return;
        }
        int spins = 0;
        while (!OWNER.compareAndSet(this, FREE, me)) { // spin_lock(): cmpxchg acquires the previous holder's stores
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
            OWNER.setRelease(this, FREE); // spin_unlock(): critical-section stores before the release
        }
    }

    /** Under the lock: whether a request of PSN {@code psn} is accepted: the responder is in RTR, RTS or SQD and expects that PSN. */
    boolean acceptsRequest(int psn) {
        QpState s = state();
        return (s == QpState.RTR || s == QpState.RTS || s == QpState.SQD) && expectedPsn == psn;
    }

    /** Under the lock: whether a posted receive WQE is at {@code deviceRq}; reads ahead when entering unread WQEs. */
    boolean hasRecv() {
        int rq = deviceRq;
        if (rq == postedCache) {
            postedCache = DoorbellRecord.recvProducerAcquire(record);
            if (rq == postedCache) {
                return false;
            }
        }
        if (rq - readAheadTo >= 0) {
            readAhead(rq);
        }
        return true;
    }

    /**
     * Under the lock, right after a delivery has published its receive CQE: steps past the receive
     * it used, then does now, while the completion travels, the transfers the next delivery would
     * wait for (the doorbell record once the cached producer index is used up, the lines of the
     * next unread stretch of WQEs) instead of on the next message's latency.
     */
    void recvDelivered() {
        deviceRq++;
        hasRecv();
    }

    private void readAhead(int rq) {
        int avail = postedCache - rq;
        int n = avail > 0 && avail <= capacity ? Math.min(READ_AHEAD, avail) : 1;
        long sink = readAheadSink;
        for (int k = 0; k < n; k++) {
            long slot = slotOffset(rq + k);
            for (int line = 0; line < stride; line += 64) {
                sink += ring.get(JAVA_LONG, slot + line);
            }
        }
        readAheadSink = sink;
        readAheadTo = rq + n;
    }

    /** Byte offset in the receive ring of the WQE of free-running index {@code index}. */
    long slotOffset(int index) {
        return (long) (index & (capacity - 1)) * stride;
    }

    /** Under the lock: the receive producer index the host published, read with acquire, and cached. */
    int refreshPosted() {
        postedCache = DoorbellRecord.recvProducerAcquire(record);
        return postedCache;
    }

    /** Under the lock: back to an empty receive queue (modifyQp to RESET). */
    void resetQueue() {
        deviceRq = 0;
        postedCache = 0;
        readAheadTo = 0;
    }

    /** The QP's state as the responder sees it. */
    QpState state() {
        return state;
    }

    void state(QpState s) {
        state = s;
    }

    /** Whether the responder RNR-NAKed a SEND since the host last looked: the host's next post kicks the requester. */
    boolean rnrNaked() {
        return rnrNaked;
    }

    void rnrNaked(boolean v) {
        rnrNaked = v;
    }
}

/** 128 bytes and a few fillers: the fields after these start on a line of their own. */
abstract class ResponderPadHead {
    int f0;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** Read by both sides, written only on RNR and state changes. */
abstract class ResponderCold extends ResponderPadHead {
    final QueuePair qp;
    final MemorySegment ring;
    final int stride;
    final int capacity;
    final MemorySegment record;
    final CompletionQueue recvCq;
    final ProtectionDomain pd;
    final int qpn;
    final int maxSges;
    volatile QpState state = QpState.RESET; // smp_store_release/smp_load_acquire: mirrors QueuePair.state for the responder, set after it
    volatile boolean rnrNaked; // smp_store_release/smp_load_acquire: the NAK (after the requester's rnrWaiting) before the host's post reads it

    ResponderCold(QueuePair qp, MemorySegment ring, int stride, int capacity, MemorySegment record, CompletionQueue recvCq,
            ProtectionDomain pd, int qpn, int maxSges) {
        this.qp = qp;
        this.ring = ring;
        this.stride = stride;
        this.capacity = capacity;
        this.record = record;
        this.recvCq = recvCq;
        this.pd = pd;
        this.qpn = qpn;
        this.maxSges = maxSges;
    }
}

/** 128 bytes and fillers that take up any hole the cold fields left. */
abstract class ResponderPadMid extends ResponderCold {
    int f1;
    short f2;
    byte f3;
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    ResponderPadMid(QueuePair qp, MemorySegment ring, int stride, int capacity, MemorySegment record, CompletionQueue recvCq,
            ProtectionDomain pd, int qpn, int maxSges) {
        super(qp, ring, stride, capacity, record, recvCq, pd, qpn, maxSges);
    }
}

/** Written by the requester that holds the responder, per message. */
abstract class ResponderHot extends ResponderPadMid {
    static final java.lang.invoke.VarHandle OWNER;

    static {
        try {
            OWNER = java.lang.invoke.MethodHandles.lookup().findVarHandle(ResponderHot.class, "owner", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #owner}'s value while no thread holds the responder (thread ids start at 1). */
    static final long FREE = 0;

    /** The holder's {@link Thread#threadId()}: a long, not the Thread, so taking the lock stores no reference (no GC card mark). */
    @SuppressWarnings("unused")
    volatile long owner;
    int holds;
    int deviceRq;
    int expectedPsn;
    int postedCache;
    int readAheadTo;
    /** The sum of the words the read-ahead loaded: stored, so the compiler keeps the loads. */
    long readAheadSink;

    ResponderHot(QueuePair qp, MemorySegment ring, int stride, int capacity, MemorySegment record, CompletionQueue recvCq,
            ProtectionDomain pd, int qpn, int maxSges) {
        super(qp, ring, stride, capacity, record, recvCq, pd, qpn, maxSges);
    }
}

/** 128 bytes after the hot fields. */
abstract class ResponderPadTail extends ResponderHot {
    long r00, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12, r13, r14, r15;

    ResponderPadTail(QueuePair qp, MemorySegment ring, int stride, int capacity, MemorySegment record, CompletionQueue recvCq,
            ProtectionDomain pd, int qpn, int maxSges) {
        super(qp, ring, stride, capacity, record, recvCq, pd, qpn, maxSges);
    }
}
