package dev.qpair.hca;

import dev.qpair.barriers.DoorbellLock;
import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AccessStatus;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.memory.Translation;
import dev.qpair.rings.DoorbellPage;
import dev.qpair.rings.DoorbellQueue;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.RecvWqe;
import dev.qpair.rings.RingMath;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A reliable-connected queue pair ({@code ibv_qp_ex} of type RC): a send ring of 64-byte basic
 * blocks, a receive ring, a doorbell record and a doorbell register, in off-heap memory.
 *
 * <p><b>Posting</b> follows rdma-core's extended work-request API. {@link #wrStart()} opens a
 * batch; each operation ({@link #wrSend()}, {@link #wrRdmaWrite}, ...) begins a WQE directly on
 * the ring slot, taking the {@link #wrId(long)} and {@link #wrFlags(int)} set before it; the
 * payload setters ({@link #wrSetSge}, {@link #wrAddSge}, {@link #wrSetInlineData}) complete it;
 * {@link #wrComplete()} publishes the batch in the doorbell record and rings the doorbell once.
 * Receives: {@link #postRecv(long, int, long, int)}, or {@link #recvWr}/{@link #recvAddSge}/
 * {@link #recvComplete()} for several SGEs or a batch. Nothing allocates.
 *
 * <p><b>Send-queue slots</b> (seed 000): {@link #sendSlotsFor} and {@link #sendSlotsForInline}
 * say how many slots an operation needs; {@link #freeSendSlots()} how many are free. Slots are
 * freed only when a polled signaled completion covers them, as on mlx5: a QP whose WRs are never
 * signaled fills up, and the post that finds it full throws an exception that says so.
 *
 * <p><b>Threads.</b> Posting is single-producer and lock-free unless the QP was created
 * {@link QpInitAttr#threadSafe threadSafe}; then a batch holds a {@link DoorbellLock} from
 * {@link #wrStart()} to {@link #wrComplete()}, whose unlock carries {@code mmiowb()}.
 */
public final class QueuePair extends QpEnginePad {

    static final int TASK_IDLE = 0;
    static final int TASK_BUSY = 1;
    static final int TASK_ARMED = 2;
    /** Ints of padding on each side of {@link #blocksAt}'s slots: the host stores one per post, so no other object may share their lines. */
    private static final int BLOCKS_PAD = 32;

    private static final VarHandle TASK;
    private static final VarHandle SQ_FREED;
    private static final VarHandle RQ_FREED;
    private static final VarHandle RNR_WAITING;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TASK = l.findVarHandle(QpEngineFields.class, "taskState", int.class);
            SQ_FREED = l.findVarHandle(QpHostFields.class, "sqFreed", int.class);
            RQ_FREED = l.findVarHandle(QpHostFields.class, "rqFreed", int.class);
            STATE = l.findVarHandle(QueuePair.class, "state", QpState.class);
            RNR_WAITING = l.findVarHandle(QpEngineFields.class, "rnrWaiting", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Device device;
    private final Engine engine;
    private final ProtectionDomain pd;
    private final CompletionQueue sendCq;
    private final CompletionQueue recvCq;
    private final int qpn;
    final int maxSendWr;
    final int maxSendSge;
    final int maxRecvSge;
    final int maxInlineData;
    private final boolean sqSigAll;
    final int mtu;

    final MemorySegment sqRing;
    final int sqSlots;
    private final int sqMask;
    private final SendWqe hostWqe;
    final SendWqe deviceWqe;
    final MemorySegment rqRing;
    final int rqCapacity;
    private final RecvWqe hostRwqe;
    final MemorySegment record;
    private final MemorySegment doorbellPage;
    private final DoorbellLock sqLock;
    private final DoorbellLock rqLock;
    private final int[] blocksAt;

    volatile QpState state = QpState.RESET; // smp_store_release/smp_load_acquire: a state change before the passes and posts that read it
    volatile QueuePair peer; // rcu_assign_pointer/rcu_dereference: the route set at RTR, read by passes and postRecv
    int destQpn = -1;
    int rnrRetry = QpAttr.RNR_RETRY_INFINITE;
    long rnrTimerNanos = 10_000;
    final Sgl localSgl = new Sgl();
    final Sgl remoteSgl = new Sgl();
    final Sgl scratchSgl = new Sgl();
    final Translation atomicTranslation = new Translation();
    /** The engine's {@code writeInlineShortcut}: the key lookup of the target. */
    final Translation shortcutTranslation = new Translation();
    final MemorySegment atomicScratch;

    // ---- receive side and responder (Responder, Engine.respond); this block only ----
    /** This QP's responder: entered by the peer's requester pass. */
    final Responder responder;
    /** The peer's responder, set with {@link #peer}: this QP's pass reaches it without touching the peer's object. */
    Responder peerResponder;
    /** This QP's pass: the peer's receive SGEs of the SEND it delivers, and their key lookups. */
    final Sgl recvSgl = new Sgl();
    final Translation recvTranslation = new Translation();
    private final int rqStride;
    /** The receive CQ's poller: the key lookups of the receive buffers it scatters a CQE's payload into. */
    private final Translation pollTranslation = new Translation();

    QueuePair(Device device, Engine engine, ProtectionDomain pd, CompletionQueue sendCq, CompletionQueue recvCq,
            QpInitAttr a, Arena arena) {
        this.device = device;
        this.engine = engine;
        this.pd = pd;
        this.sendCq = sendCq;
        this.recvCq = recvCq;
        this.mtu = device.queryPort().activeMtu();
        int maxSgeLimit = SendWqe.maxSges(WrOpcode.RDMA_WRITE);
        this.maxSendSge = check("maxSendSge", a.maxSendSge, 1, maxSgeLimit);
        this.maxInlineData = check("maxInlineData", a.maxInlineData, 0, SendWqe.maxInlineData(WrOpcode.RDMA_WRITE));
        int wqeBlocks = Math.max(SendWqe.slotsForSges(WrOpcode.ATOMIC_CMP_AND_SWP, 1),
                Math.max(SendWqe.slotsForSges(WrOpcode.SEND, maxSendSge), SendWqe.slotsForInline(WrOpcode.SEND, maxInlineData)));
        this.maxSendWr = check("maxSendWr", a.maxSendWr, 1, QpInitAttr.MAX_SEND_SLOTS / wqeBlocks);
        this.maxRecvSge = check("maxRecvSge", a.maxRecvSge, 1, (RecvWqe.MAX_STRIDE - 16) / 16);
        int maxRecvWr = check("maxRecvWr", a.maxRecvWr, 1, QpInitAttr.MAX_RECV_WR);
        this.sqSigAll = a.sqSigAll;
        this.sqSlots = RingMath.roundUpToPowerOfTwo(maxSendWr * wqeBlocks);
        this.sqMask = sqSlots - 1;
        this.sqRing = arena.allocate((long) sqSlots * SendWqe.BASIC_BLOCK_SIZE, 4096);
        this.rqCapacity = RingMath.roundUpToPowerOfTwo(maxRecvWr);
        int stride = RecvWqe.strideFor(maxRecvSge);
        this.rqRing = arena.allocate((long) rqCapacity * stride, 4096);
        this.deviceWqe = new SendWqe(sqRing);
        this.hostWqe = new SendWqe(sqRing);
        this.hostRwqe = new RecvWqe(rqRing, stride);
        this.rqStride = stride;
        this.record = DoorbellRecord.allocate(arena);
        this.doorbellPage = DoorbellPage.allocate(arena);
        this.sqLock = a.threadSafe ? new DoorbellLock() : null;
        this.rqLock = a.threadSafe ? new DoorbellLock() : null;
        this.blocksAt = new int[BLOCKS_PAD + sqSlots + BLOCKS_PAD];
        this.atomicScratch = arena.allocate(8, 8);
        this.qpn = device.provider().allocQpn(this);
        this.responder = new Responder(this, rqRing, stride, rqCapacity, record, recvCq, pd, qpn, hostRwqe.maxSges());
    }

    private static int check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is " + value + ": it must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** {@code qp_num}. */
    public int qpNum() {
        return qpn;
    }

    /** The current state. */
    public QpState state() {
        return state;
    }

    /** The protection domain. */
    public ProtectionDomain pd() {
        return pd;
    }

    /** The send CQ. */
    public CompletionQueue sendCq() {
        return sendCq;
    }

    /** The receive CQ. */
    public CompletionQueue recvCq() {
        return recvCq;
    }

    /** The send ring's size in 64-byte basic blocks (slots). */
    public int sendSlots() {
        return sqSlots;
    }

    /** Receive WQEs the receive ring holds. */
    public int recvCapacity() {
        return rqCapacity;
    }

    /** {@code max_inline_data}. */
    public int maxInlineData() {
        return maxInlineData;
    }

    Engine engine() {
        return engine;
    }

    Device device() {
        return device;
    }

    // ---- control path ----

    /**
     * {@code ibv_modify_qp}: moves the QP to {@code attr.qpState()} using the attributes that
     * transition takes (see {@link QpAttr}).
     *
     * @throws IllegalStateException naming both states when IBTA does not allow the transition
     * @throws IllegalArgumentException naming an attribute, its value and its limit
     */
    public void modifyQp(QpAttr attr) {
        if (attr == null || attr.qpState == null) {
            throw new IllegalArgumentException("attr and attr.qpState must not be null");
        }
        QpState to = attr.qpState;
        boolean kick = false;
        synchronized (this) {
            QpState from = state;
            if (!from.canModifyTo(to)) {
                throw new IllegalStateException("modifyQp of QP 0x" + Integer.toHexString(qpn) + ": " + from + " -> " + to
                        + " is not a valid transition (IBTA 10.3.1: RESET->INIT->RTR->RTS, RTS<->SQD, SQE->RTS, any->ERR, any->RESET)");
            }
            if (attr.rnrRetry < 0 || attr.rnrRetry > 7) {
                throw new IllegalArgumentException("rnrRetry is " + attr.rnrRetry + ": it must be in [0, 7] (7: retry forever)");
            }
            if (attr.minRnrTimerNanos < 0) {
                throw new IllegalArgumentException("minRnrTimerNanos is " + attr.minRnrTimerNanos + ": it must be >= 0");
            }
            switch (to) {
                case RTR -> {
                    if (from == QpState.INIT) {
                        QueuePair p = device.provider().route(this, attr.destQpNum);
                        if (p == null) {
                            throw new IllegalArgumentException("destQpNum is 0x" + Integer.toHexString(attr.destQpNum)
                                    + ": no QP with that number is reachable through provider " + device.provider().name());
                        }
                        responder.lock();
                        try {
                            responder.expectedPsn = attr.rqPsn & 0xff_ffff;
                        } finally {
                            responder.unlock();
                        }
                        destQpn = attr.destQpNum;
                        peerResponder = p.responder;
                        peer = p;
                        rnrTimerNanos = attr.minRnrTimerNanos;
                    }
                }
                case RTS -> {
                    if (from == QpState.RTR) {
                        sqPsn = attr.sqPsn & 0xff_ffff;
                    }
                    rnrRetry = attr.rnrRetry;
                    rnrRetriesLeft = attr.rnrRetry;
                    rnrTimerNanos = attr.minRnrTimerNanos;
                    kick = true;
                }
                case ERR -> {
                    engine.moveToError(this);
                    return;
                }
                case RESET -> {
                    reset();
                    return;
                }
                default -> {
                }
            }
            if (!casState(from, to)) {
                throw new IllegalStateException("modifyQp of QP 0x" + Integer.toHexString(qpn) + " to " + to
                        + ": the device moved it from " + from + " to " + state + " meanwhile");
            }
        }
        if (kick) {
            engine.doorbell(this);
        }
    }

    /**
     * {@code ibv_query_qp}: a snapshot of the state and the connection attributes into {@code out}
     * (the PSNs move while the engine works).
     */
    public QpAttr queryQp(QpAttr out) {
        synchronized (this) {
            out.qpState = state;
            out.destQpNum = destQpn;
            out.rnrRetry = rnrRetry;
            out.minRnrTimerNanos = rnrTimerNanos;
            out.sqPsn = sqPsn;
        }
        responder.lock();
        try {
            out.rqPsn = responder.expectedPsn;
        } finally {
            responder.unlock();
        }
        return out;
    }

    /** Convenience for a connection manager: RESET -> INIT -> RTR -> RTS towards {@code destQpn}. */
    public void connect(int destQpn, int rqPsn, int sqPsn) {
        QpAttr a = new QpAttr();
        modifyQp(a.qpState(QpState.INIT));
        modifyQp(a.qpState(QpState.RTR).destQpNum(destQpn).rqPsn(rqPsn));
        modifyQp(a.qpState(QpState.RTS).sqPsn(sqPsn));
    }

    private void reset() {
        state = QpState.RESET;
        responder.state(QpState.RESET);
        engine.quiesce();
        while ((int) TASK.getAcquire(this) != TASK_IDLE) { // smp_load_acquire(): the last engine pass's stores before the reset
            Thread.onSpinWait();
        }
        responder.lock();
        try {
            peer = null;
            peerResponder = null;
            destQpn = -1;
            deviceSq = 0;
            responder.resetQueue();
            responder.rnrNaked(false);
            engine.clearRnrWait(this);
            sqTail = sqPublished = sqFreedCache = sqFreedByPoller = lastSignaledEnd = unsignaledRun = 0;
            rqTail = rqPublished = rqFreedCache = rqFreedByPoller = 0;
            SQ_FREED.setRelease(this, 0); // smp_store_release(): the reset indices before the next post reads them
            RQ_FREED.setRelease(this, 0); // smp_store_release(): as above, for the receive ring
            Arrays.fill(blocksAt, 0);
            sqRing.fill((byte) 0);
            rqRing.fill((byte) 0);
            DoorbellRecord.publishSendProducerRelease(record, 0);
            DoorbellRecord.publishRecvProducerRelease(record, 0);
            batchOpen = wqeOpen = recvOpen = recvBatch = false;
            state = QpState.RESET;
        } finally {
            responder.unlock();
        }
    }

    // ---- engine task: rxe's IDLE -> BUSY -> ARMED ----

    /** {@code true} when the caller now owns the task and must run it; a doorbell while BUSY arms one more pass. */
    boolean scheduleTask() {
        for (;;) {
            int s = (int) TASK.getAcquire(this); // smp_load_acquire(): the task state before the pass it decides on
            if (s == TASK_IDLE) {
                if (TASK.compareAndSet(this, TASK_IDLE, TASK_BUSY)) { // cmpxchg(): full barrier, doorbell-record store before the pass's loads
                    return true;
                }
            } else if (s == TASK_BUSY) {
                if (TASK.compareAndSet(this, TASK_BUSY, TASK_ARMED)) { // cmpxchg(): full barrier, the runner's next pass sees this doorbell
                    return false;
                }
            } else {
                return false;
            }
        }
    }

    /** After a pass: {@code true} when doorbells arrived meanwhile and another pass is due. */
    boolean finishTaskPass() {
        if (TASK.compareAndSet(this, TASK_BUSY, TASK_IDLE)) { // cmpxchg(): full barrier, the pass's stores before IDLE
            return false;
        }
        TASK.setVolatile(this, TASK_BUSY); // smp_mb(): ARMED -> BUSY before the next pass's loads
        return true;
    }

    /**
     * THREAD mode, on the engine thread while it runs: IDLE -> BUSY without a CAS. No other thread
     * runs a pass then (their doorbells go through the doorbell queue), so nothing can arm the task.
     */
    void beginEnginePass() {
        TASK.setOpaque(this, TASK_BUSY); // WRITE_ONCE(): for reset's and the diagnostics' reads; the engine thread is the only runner
    }

    /** THREAD mode, on the engine thread: BUSY -> IDLE after the pass. */
    void endEnginePass() {
        TASK.setRelease(this, TASK_IDLE); // smp_store_release(): the pass's stores before IDLE, for reset's acquire
    }

    /** The engine's and modifyQp's state change: only from the state the caller saw. */
    boolean casState(QpState expected, QpState to) {
        if (!STATE.compareAndSet(this, expected, to)) { // cmpxchg(): a device-made ERR is never overwritten by a control-path change
            return false;
        }
        responder.state(to);
        return true;
    }

    boolean casRnrWaiting(boolean expected, boolean value) {
        return RNR_WAITING.compareAndSet(this, expected, value); // cmpxchg(): one thread counts each RNR wait in and out
    }

    boolean isTaskIdle() {
        return (int) TASK.getAcquire(this) == TASK_IDLE; // smp_load_acquire(): the task state, for reset and diagnostics
    }

    // ---- posting: ibv_wr_* ----

    /** Send-queue slots an {@code opcode} ({@link WrOpcode}) WR with {@code numSge} SGEs needs (seed 000). */
    public static int sendSlotsFor(int opcode, int numSge) {
        return SendWqe.slotsForSges(opcode, numSge);
    }

    /** Send-queue slots an {@code opcode} WR with {@code inlineBytes} of inline data needs (seed 000). */
    public static int sendSlotsForInline(int opcode, int inlineBytes) {
        return SendWqe.slotsForInline(opcode, inlineBytes);
    }

    /** Send-queue slots free now for the posting thread (refreshes from polled completions). */
    public int freeSendSlots() {
        sqFreedCache = (int) SQ_FREED.getAcquire(this); // smp_load_acquire(): the poller's CQE loads before reusing the slots
        int head = wqeOpen ? curStart + SendWqe.basicBlocks(curDs) : sqTail;
        return sqSlots - (head - sqFreedCache);
    }

    /**
     * {@code ibv_wr_start}: opens a batch. Every {@code wrStart} must be followed by
     * {@link #wrComplete()} or {@link #wrAbort()}, also after an exception.
     *
     * @throws IllegalStateException in RESET, INIT or RTR, or when a batch is already open
     */
    public void wrStart() {
        QpState s = state;
        if (s == QpState.RESET || s == QpState.INIT || s == QpState.RTR) {
            throw new IllegalStateException("postSend on QP 0x" + Integer.toHexString(qpn) + " in state " + s
                    + ": the send queue accepts WRs from RTS on (modifyQp to RTR, then RTS)");
        }
        if (sqLock != null) {
            sqLock.lock();
        }
        if (batchOpen) {
            if (sqLock != null) {
                sqLock.unlock();
            }
            throw new IllegalStateException("wrStart on QP 0x" + Integer.toHexString(qpn)
                    + " with a batch already open: call wrComplete() or wrAbort() first");
        }
        batchOpen = true;
        wqeOpen = false;
    }

    /** {@code qpx->wr_id}: the wr_id of the next operation. */
    public QueuePair wrId(long wrId) {
        nextWrId = wrId;
        return this;
    }

    /** {@code qpx->wr_flags}: {@link SendFlags} of the next operation. */
    public QueuePair wrFlags(int flags) {
        if ((flags & ~(SendFlags.SIGNALED | SendFlags.SOLICITED | SendFlags.FENCE)) != 0) {
            throw new IllegalArgumentException("flags is 0x" + Integer.toHexString(flags)
                    + ": allowed are SIGNALED|SOLICITED|FENCE (0x7); inline data is set with wrSetInlineData");
        }
        nextFlags = flags;
        return this;
    }

    /** {@code ibv_wr_send}. */
    public QueuePair wrSend() {
        return begin(WrOpcode.SEND, 0);
    }

    /** {@code ibv_wr_send_imm}. */
    public QueuePair wrSendImm(int immData) {
        return begin(WrOpcode.SEND_WITH_IMM, immData);
    }

    /** {@code ibv_wr_rdma_write}. */
    public QueuePair wrRdmaWrite(int rkey, long remoteAddr) {
        begin(WrOpcode.RDMA_WRITE, 0);
        hostWqe.remoteAddress(remoteAddr, rkey);
        return this;
    }

    /** {@code ibv_wr_rdma_write_imm}: consumes a receive at the responder, which gets {@code immData}. */
    public QueuePair wrRdmaWriteImm(int rkey, long remoteAddr, int immData) {
        begin(WrOpcode.RDMA_WRITE_WITH_IMM, immData);
        hostWqe.remoteAddress(remoteAddr, rkey);
        return this;
    }

    /** {@code ibv_wr_rdma_read}. */
    public QueuePair wrRdmaRead(int rkey, long remoteAddr) {
        begin(WrOpcode.RDMA_READ, 0);
        hostWqe.remoteAddress(remoteAddr, rkey);
        return this;
    }

    /** {@code ibv_wr_atomic_cmp_swp}: the old value lands in the WR's 8-byte SGE. */
    public QueuePair wrAtomicCmpSwp(int rkey, long remoteAddr, long compare, long swap) {
        begin(WrOpcode.ATOMIC_CMP_AND_SWP, 0);
        hostWqe.remoteAddress(remoteAddr, rkey).atomic(swap, compare);
        return this;
    }

    /** {@code ibv_wr_atomic_fetch_add}: the old value lands in the WR's 8-byte SGE. */
    public QueuePair wrAtomicFetchAdd(int rkey, long remoteAddr, long add) {
        begin(WrOpcode.ATOMIC_FETCH_AND_ADD, 0);
        hostWqe.remoteAddress(remoteAddr, rkey).atomic(add, 0);
        return this;
    }

    private QueuePair begin(int opcode, int immData) {
        if (!batchOpen) {
            throw new IllegalStateException("a WR operation on QP 0x" + Integer.toHexString(qpn) + " outside a batch: call wrStart() first");
        }
        finishWqe();
        int ds = SendWqe.octowordsForSges(opcode, 0);
        ensureRoom(sqTail, SendWqe.basicBlocks(ds));
        int flags = nextFlags | (sqSigAll ? SendWqe.FLAG_SIGNALED : 0);
        curStart = sqTail;
        curOpcode = opcode;
        curFlags = flags;
        curDs = ds;
        curNumSge = 0;
        curBfBytes = ds * SendWqe.OCTOWORD_SIZE;
        wqeOpen = true;
        hostWqe.at(curStart).control(opcode, flags, curStart, qpn, ds, immData, nextWrId, 0);
        return this;
    }

    /** {@code ibv_wr_set_sge}: the WR's single SGE (for READ and atomics: where the data or old value lands). */
    public QueuePair wrSetSge(int lkey, long addr, int length) {
        checkWqeOpen("wrSetSge");
        curNumSge = 0;
        return wrAddSge(lkey, addr, length);
    }

    /** Appends an SGE to the WR ({@code ibv_wr_set_sge_list}, one element at a time). */
    public QueuePair wrAddSge(int lkey, long addr, int length) {
        checkWqeOpen("wrAddSge");
        if ((curFlags & SendWqe.FLAG_INLINE) != 0) {
            throw new IllegalStateException("wrAddSge after wrSetInlineData on QP 0x" + Integer.toHexString(qpn)
                    + ": a WR carries either SGEs or inline data");
        }
        int n = curNumSge + 1;
        int max = WrOpcode.hasAtomic(curOpcode) ? 1 : maxSendSge;
        if (n > max) {
            throw new IllegalArgumentException("numSge would be " + n + ": QP 0x" + Integer.toHexString(qpn)
                    + " takes at most " + max + " SGEs per WR (maxSendSge" + (max == 1 && WrOpcode.hasAtomic(curOpcode) ? ", 1 for atomics" : "") + ")");
        }
        int ds = SendWqe.octowordsForSges(curOpcode, n);
        ensureRoom(curStart, SendWqe.basicBlocks(ds));
        hostWqe.at(curStart).sge(n - 1, lkey, addr, length);
        curNumSge = n;
        curDs = ds;
        curBfBytes = ds * SendWqe.OCTOWORD_SIZE;
        return this;
    }

    /** {@code ibv_wr_set_inline_data}: copies {@code length} bytes of {@code src} at {@code offset} into the WQE. */
    public QueuePair wrSetInlineData(MemorySegment src, long offset, int length) {
        checkWqeOpen("wrSetInlineData");
        if (!WrOpcode.allowsInline(curOpcode)) {
            throw new IllegalStateException("wrSetInlineData on opcode " + curOpcode + ": only sends and RDMA writes carry inline data");
        }
        if (length < 0 || length > maxInlineData) {
            throw new IllegalArgumentException("inline length is " + length + ": QP 0x" + Integer.toHexString(qpn)
                    + " takes [0, " + maxInlineData + "] bytes (maxInlineData)");
        }
        if (curNumSge != 0) {
            throw new IllegalStateException("wrSetInlineData after an SGE: a WR carries either SGEs or inline data");
        }
        int payload = SendWqe.payloadOffset(curOpcode);
        int ds = SendWqe.octowordsForInlineAt(payload, length);
        ensureRoom(curStart, SendWqe.basicBlocks(ds));
        curFlags |= SendWqe.FLAG_INLINE;
        hostWqe.at(curStart).flags(curFlags).inlineDataAt(payload, src, offset, length);
        curDs = ds;
        curBfBytes = payload + SendWqe.INLINE_HEADER_BYTES + length;
        return this;
    }

    private void checkWqeOpen(String call) {
        if (!wqeOpen) {
            throw new IllegalStateException(call + " on QP 0x" + Integer.toHexString(qpn) + " without an operation: call wrSend(), wrRdmaWrite(), ... first");
        }
    }

    private void finishWqe() {
        if (!wqeOpen) {
            return;
        }
        int blocks = SendWqe.basicBlocks(curDs);
        hostWqe.at(curStart).ds(curDs);
        blocksAt[BLOCKS_PAD + (curStart & sqMask)] = blocks;
        sqTail = curStart + blocks;
        if ((curFlags & SendWqe.FLAG_SIGNALED) != 0) {
            unsignaledRun = 0;
            lastSignaledEnd = sqTail;
        } else {
            unsignaledRun++;
        }
        wqeOpen = false;
    }

    private void ensureRoom(int start, int blocks) {
        if (start + blocks - sqFreedCache <= sqSlots) {
            return;
        }
        sqFreedCache = (int) SQ_FREED.getAcquire(this); // smp_load_acquire(): the poller's CQE loads before reusing the slots
        int used = start - sqFreedCache;
        if (used + blocks <= sqSlots) {
            return;
        }
        String q = "send queue of QP 0x" + Integer.toHexString(qpn) + " is full: ";
        if (!RingMath.isBefore(sqFreedCache, lastSignaledEnd) && unsignaledRun > 0) {
            throw new IllegalStateException(q + used + " of " + sqSlots + " slots hold WRs that no polled signaled completion covers, and the last "
                    + unsignaledRun + " WRs were posted unsignaled. Slots are freed only when a signaled completion covering them is polled"
                    + " (strict, as on mlx5): set SendFlags.SIGNALED on at least one WR in every " + Math.max(1, maxSendWr / 2)
                    + ", or create the QP with sqSigAll(true)");
        }
        throw new IllegalStateException(q + blocks + " slots needed, " + used + " of " + sqSlots
                + " in use: poll the send CQ to free slots (check freeSendSlots() before posting)");
    }

    /** {@code ibv_wr_complete}: publishes the batch's WQEs and rings the doorbell once. */
    public void wrComplete() {
        if (!batchOpen) {
            throw new IllegalStateException("wrComplete on QP 0x" + Integer.toHexString(qpn) + " without wrStart()");
        }
        finishWqe();
        batchOpen = false;
        int producer = sqTail;
        int published = sqPublished;
        boolean rang = producer != published;
        boolean rung = false;
        if (rang) {
            sqPublished = producer;
            DoorbellRecord.publishSendProducerRelease(record, producer);
            if (engine.threaded()) {
                int blocks = producer - published;
                boolean blueFlame = curStart == published && curBfBytes <= DoorbellQueue.BLUEFLAME_BYTES;
                rung = engine.ring(this, producer, blueFlame ? hostWqe.at(curStart) : null, blocks, curBfBytes);
            } else {
                DoorbellPage.ring(doorbellPage, 0, DoorbellPage.doorbellValue(qpn, producer, 0));
            }
        }
        if (sqLock != null) {
            sqLock.unlock();
        }
        if (rang && !rung) {
            engine.doorbell(this);
        }
    }

    /** {@code ibv_wr_abort}: drops the batch's WQEs; nothing was published. */
    public void wrAbort() {
        if (!batchOpen) {
            throw new IllegalStateException("wrAbort on QP 0x" + Integer.toHexString(qpn) + " without wrStart()");
        }
        wqeOpen = false;
        batchOpen = false;
        sqTail = sqPublished;
        if (sqLock != null) {
            sqLock.unlock();
        }
    }

    // ---- receives ----

    /** {@code ibv_post_recv} of one WR with one SGE. */
    public void postRecv(long wrId, int lkey, long addr, int length) {
        recvWr(wrId);
        recvAddSge(lkey, addr, length);
        recvComplete();
    }

    /**
     * Begins a receive WR in the current receive batch (opening one if needed); add SGEs with
     * {@link #recvAddSge}, publish with {@link #recvComplete()}.
     *
     * @throws IllegalStateException in RESET, or when the receive queue is full (the batch's
     *         earlier WRs stay pending: publish them with {@link #recvComplete()})
     */
    public QueuePair recvWr(long wrId) {
        if (!recvBatch) {
            if (state == QpState.RESET) {
                throw new IllegalStateException("postRecv on QP 0x" + Integer.toHexString(qpn) + " in state RESET: modifyQp to INIT first");
            }
            if (rqLock != null) {
                rqLock.lock();
            }
            recvBatch = true;
        }
        finishRecv();
        if (rqTail - rqFreedCache >= rqCapacity) {
            rqFreedCache = (int) RQ_FREED.getAcquire(this); // smp_load_acquire(): the poller's CQE loads before reusing the slot
            if (rqTail - rqFreedCache >= rqCapacity) {
                if (rqTail == rqPublished) {
                    recvBatch = false;
                    if (rqLock != null) {
                        rqLock.unlock();
                    }
                }
                throw new IllegalStateException("receive queue of QP 0x" + Integer.toHexString(qpn) + " is full: " + (rqTail - rqFreedCache)
                        + " of " + rqCapacity + " receives are posted and not yet polled; poll the receive CQ first");
            }
        }
        hostRwqe.at(rqTail).wrId(wrId).numSge(0);
        recvOpen = true;
        return this;
    }

    /** Appends an SGE to the current receive WR. */
    public QueuePair recvAddSge(int lkey, long addr, int length) {
        if (!recvOpen) {
            throw new IllegalStateException("recvAddSge on QP 0x" + Integer.toHexString(qpn) + " without recvWr()");
        }
        int n = hostRwqe.numSge();
        if (n >= maxRecvSge) {
            throw new IllegalArgumentException("numSge would be " + (n + 1) + ": QP 0x" + Integer.toHexString(qpn)
                    + " takes at most " + maxRecvSge + " SGEs per receive (maxRecvSge)");
        }
        hostRwqe.sge(n, lkey, addr, length).numSge(n + 1);
        return this;
    }

    private void finishRecv() {
        if (recvOpen) {
            rqTail++;
            recvOpen = false;
        }
    }

    /** Publishes the receive batch in the doorbell record. */
    public void recvComplete() {
        if (!recvBatch) {
            throw new IllegalStateException("recvComplete on QP 0x" + Integer.toHexString(qpn) + " without recvWr()");
        }
        finishRecv();
        recvBatch = false;
        rqPublished = rqTail;
        DoorbellRecord.publishRecvProducerRelease(record, rqTail);
        if (rqLock != null) {
            rqLock.unlock();
        }
        if (state == QpState.ERR) {
            engine.flushRecv(this);
        }
        if (responder.rnrNaked()) {
            responder.rnrNaked(false);
            QueuePair p = peer;
            if (p != null && p.rnrWaiting) {
                p.rnrKicked = true;
                p.engine().doorbell(p);
            }
        }
    }

    // ---- called by the CQ's poller ----

    void onSendCompletionPolled(int wqeCounter) {
        int freed = sqFreedByPoller;
        int start = freed + ((wqeCounter - freed) & 0xffff);
        if (start - freed >= sqSlots) {
            return;
        }
        int end = start + blocksAt[BLOCKS_PAD + (start & sqMask)];
        sqFreedByPoller = end;
        SQ_FREED.setRelease(this, end); // smp_store_release(): CQE loads before the poster may reuse the slots
    }

    /**
     * The receive CQ's poller, before {@link #onRecvCompletionPolled()}: copies {@code length} bytes
     * at {@code offset} of {@code cqes} (a CQE's inline payload) into the buffers of the receive it
     * completes. {@code false} when a buffer's key no longer grants the write.
     */
    boolean scatterFromCqe(MemorySegment cqes, long offset, int length) {
        long slot = (long) (rqFreedByPoller & (rqCapacity - 1)) * rqStride;
        int n = Math.min(RecvWqe.numSgeAt(rqRing, slot), hostRwqe.maxSges());
        long done = 0;
        for (int i = 0; i < n && done < length; i++) {
            long take = Math.min(RecvWqe.sgeLengthAt(rqRing, slot, i) & 0xffff_ffffL, length - done);
            if (pd.table().lookup(RecvWqe.sgeLkeyAt(rqRing, slot, i), RecvWqe.sgeAddressAt(rqRing, slot, i), take,
                    AccessFlags.LOCAL_WRITE, pd, pollTranslation) != AccessStatus.OK) {
                return false;
            }
            done += pollTranslation.copyFrom(cqes, offset + done);
        }
        return done == length;
    }

    void onRecvCompletionPolled() {
        rqFreedByPoller++;
        RQ_FREED.setRelease(this, rqFreedByPoller); // smp_store_release(): CQE loads before the poster may reuse the slot
    }

    /** {@code ibv_destroy_qp}: moves it to ERR (flushing every WR) and releases its QPN. */
    public void destroy() {
        engine.moveToError(this);
        engine.quiesce();
        device.destroyQp(this);
    }

    @Override
    public String toString() {
        return "QP[0x" + Integer.toHexString(qpn) + ", " + state + "]";
    }
}
