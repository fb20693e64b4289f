package dev.qpair.hca;

import dev.qpair.memory.KeyTable;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.rings.CqRing;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.RingMath;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * An HCA ({@code ibv_context}): its memory protection table, its CQs and QPs, and the device
 * engine that executes their work. Open it with a {@link Provider} and a {@link DeviceMode}; close
 * it to stop the engine and free its rings.
 *
 * <p>PDs and MRs are ffm-memory's: {@link #allocPd()} allocates a {@link ProtectionDomain} of this
 * device's {@link KeyTable}, and {@code pd.regMr(...)} registers memory with an lkey and rkey.
 * Control-path calls are synchronized; the datapath is on {@link QueuePair} and {@link CompletionQueue}.
 */
public final class Device implements AutoCloseable {

    /** Memory regions a device's key table holds by default. */
    public static final int DEFAULT_MAX_MR = 1 << 16;
    /** The most QPs a device holds. */
    public static final int MAX_QP = 1 << 16;

    private final Provider provider;
    private final DeviceMode mode;
    private final KeyTable keyTable;
    private final PortAttributes port;
    private final Arena arena = Arena.ofShared();
    private final Engine engine;
    private final List<QueuePair> qps = new ArrayList<>();
    private final List<CompletionQueue> cqs = new ArrayList<>();
    private final long[] asyncEvents = new long[1024];
    private int asyncHead;
    private int asyncCount;
    private long asyncLost;
    private volatile QpTable qpTable = QpTable.EMPTY; // rcu_assign_pointer/rcu_dereference: a whole table before the pollers that look QPNs up
    private volatile boolean overflowPending; // smp_store_release/smp_load_acquire: an overflow before the pass end that handles it
    private int nextCqn = 1;
    private boolean closed;

    private Device(Provider provider, DeviceMode mode, int maxMr) {
        this.provider = provider;
        this.mode = mode;
        this.keyTable = KeyTable.create(maxMr);
        this.port = provider.queryPort();
        this.engine = new Engine(this, mode, arena);
    }

    /** Opens a device with a key table of {@link #DEFAULT_MAX_MR} regions. */
    public static Device open(Provider provider, DeviceMode mode) {
        return open(provider, mode, DEFAULT_MAX_MR);
    }

    /**
     * Opens a device; in {@link DeviceMode#THREAD} its engine thread starts now.
     *
     * @throws IllegalArgumentException naming a null provider or mode, or maxMr and its limit
     */
    public static Device open(Provider provider, DeviceMode mode, int maxMr) {
        if (provider == null) {
            throw new IllegalArgumentException("provider is null");
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode is null: use DeviceMode.THREAD or DeviceMode.INLINE");
        }
        Device d = new Device(provider, mode, maxMr);
        d.engine.start();
        return d;
    }

    /** The provider. */
    public Provider provider() {
        return provider;
    }

    /** The engine mode. */
    public DeviceMode mode() {
        return mode;
    }

    /** The memory protection table shared by this device's PDs. */
    public KeyTable keyTable() {
        return keyTable;
    }

    /** {@code ibv_query_port}. */
    public PortAttributes queryPort() {
        return port;
    }

    /** {@code ibv_alloc_pd}. */
    public ProtectionDomain allocPd() {
        checkOpen();
        return keyTable.allocPd();
    }

    /** {@code ibv_create_cq} with 64-byte CQEs. */
    public CompletionQueue createCq(int capacity) {
        return createCq(capacity, Cqe.SIZE);
    }

    /**
     * {@code ibv_create_cq}: a CQ of {@code capacity} CQEs of {@code cqeSize} bytes.
     *
     * @throws IllegalArgumentException naming capacity or cqeSize, the value and the limit
     */
    public synchronized CompletionQueue createCq(int capacity, int cqeSize) {
        checkOpen();
        RingMath.checkCapacity("capacity", capacity, CqRing.MAX_CAPACITY);
        CompletionQueue cq = new CompletionQueue(this, nextCqn++, arena, capacity, cqeSize);
        cqs.add(cq);
        return cq;
    }

    /**
     * {@code ibv_create_qp} of type RC, in state RESET.
     *
     * @throws IllegalArgumentException naming the attribute, its value and the limit
     */
    public synchronized QueuePair createQp(ProtectionDomain pd, CompletionQueue sendCq, CompletionQueue recvCq,
            QpInitAttr attr) {
        checkOpen();
        if (pd == null || pd.table() != keyTable) {
            throw new IllegalArgumentException("pd is " + pd + ": it must be a PD of this device");
        }
        if (sendCq == null || !cqs.contains(sendCq) || recvCq == null || !cqs.contains(recvCq)) {
            throw new IllegalArgumentException("sendCq and recvCq must be CQs of this device: got " + sendCq + ", " + recvCq);
        }
        if (attr == null) {
            throw new IllegalArgumentException("attr is null");
        }
        if (qps.size() >= MAX_QP) {
            throw new IllegalStateException("device holds " + qps.size() + " QPs: the limit is " + MAX_QP);
        }
        QueuePair qp = new QueuePair(this, engine, pd, sendCq, recvCq, attr, arena);
        qps.add(qp);
        qpTable = new QpTable(qps.toArray(new QueuePair[0]));
        return qp;
    }

    synchronized void destroyQp(QueuePair qp) {
        if (qps.remove(qp)) {
            provider.freeQpn(qp.qpNum());
            qpTable = new QpTable(qps.toArray(new QueuePair[0]));
        }
    }

    Engine engine() {
        return engine;
    }

    QueuePair qpByQpn(int qpn) {
        return qpTable.get(qpn);
    }

    /**
     * {@code ibv_get_async_event}, non-blocking: the oldest event as {@code type << 32 | object}
     * (see {@link AsyncEvent}), or -1 when there is none.
     */
    public synchronized long pollAsyncEvent() {
        if (asyncCount == 0) {
            return -1;
        }
        long e = asyncEvents[asyncHead];
        asyncHead = (asyncHead + 1) % asyncEvents.length;
        asyncCount--;
        return e;
    }

    /** Events dropped because the event queue ({@value} entries) was full. */
    public synchronized long asyncEventsLost() {
        return asyncLost;
    }

    synchronized void raise(int type, int object) {
        if (asyncCount == asyncEvents.length) {
            asyncLost++;
            return;
        }
        asyncEvents[(asyncHead + asyncCount) % asyncEvents.length] = (long) type << 32 | (object & 0xffff_ffffL);
        asyncCount++;
    }

    void cqOverflowed() {
        overflowPending = true;
    }

    /** Runs outside every engine lock: moves the QPs of each overflowed CQ to ERR (IBV_EVENT_CQ_ERR, then QP_FATAL). */
    void handleOverflows() {
        if (!overflowPending) {
            return;
        }
        List<QueuePair> victims = new ArrayList<>();
        synchronized (this) {
            overflowPending = false;
            for (CompletionQueue cq : cqs) {
                if (cq.isOverflowed() && !cq.overflowHandled) {
                    cq.overflowHandled = true;
                    raise(AsyncEvent.CQ_ERR, cq.cqn());
                    for (QueuePair qp : qps) {
                        if (qp.sendCq() == cq || qp.recvCq() == cq) {
                            victims.add(qp);
                        }
                    }
                }
            }
        }
        for (QueuePair qp : victims) {
            if (engine.moveToError(qp)) {
                raise(AsyncEvent.QP_FATAL, qp.qpNum());
            }
        }
    }

    /** In {@link DeviceMode#INLINE}, runs what is due without a doorbell (RNR retry timers); called by an empty poll. */
    void progressIfInline() {
        if (mode == DeviceMode.INLINE) {
            engine.runDueTimers();
        }
    }

    /** Every QP, from the published table: no lock, no allocation (the RNR timer scan). */
    QueuePair[] allQps() {
        return qpTable.all;
    }

    synchronized QueuePair[] qpSnapshot() {
        return qps.toArray(new QueuePair[0]);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("device is closed");
        }
    }

    /** Stops the engine and frees every ring; the device's QPs and CQs must not be used after. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        engine.stop();
        for (QueuePair qp : qpSnapshot()) {
            destroyQp(qp);
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "Device[" + provider.name() + ", " + mode + "]";
    }
}
