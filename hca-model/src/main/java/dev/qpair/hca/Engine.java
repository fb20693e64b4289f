package dev.qpair.hca;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AccessStatus;
import dev.qpair.memory.Translation;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.DoorbellQueue;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.RecvWqe;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HCA device engine: one code path for the semantics, run by a dedicated busy-polling thread
 * ({@link DeviceMode#THREAD}) or by the thread that rings the doorbell ({@link DeviceMode#INLINE}).
 *
 * <p><b>Serialization.</b> Each QP's send side is a task in rxe's states IDLE -> BUSY -> ARMED
 * ({@link QueuePair#scheduleTask()}): in INLINE mode the doorbell that finds it IDLE owns the pass;
 * doorbells that arrive while it is BUSY arm it, and coalesce into one more pass. In THREAD mode
 * the engine thread is the only runner while it runs, so it sets BUSY and IDLE without a CAS; after
 * {@link #stop()} callers wait for it to exit and fall back to INLINE's CAS. A QP's responder (its
 * receive queue, its expected PSN: {@link Responder}) is entered by the peer's pass under the
 * responder's lock; a CQ's producer side under the CQ's producer lock. Lock order: task, then
 * responder, then CQ.
 *
 * <p><b>Doorbell queue.</b> In THREAD mode a post rings the device-wide
 * {@link dev.qpair.rings.DoorbellQueue}: one 128-byte slot with the QPN, the new producer index
 * and, for a single WQE of up to 116 bytes, a BlueFlame copy of it, {@code seq} released last.
 * The engine polls only the next slot's {@code seq} (acquire), finds the QP by QPN, and executes
 * up to the slot's producer index, the first WQE from the copy. Its cost per loop grows with the
 * doorbells rung, not with the QPs; a posting thread CASes only the queue's claim word, a line
 * the engine never writes, and reads the engine's consumer index only when the queue looks full.
 * Doorbells the engine thread rings for itself (a QP it moved to ERR, an RNR timer) go on a local
 * pending list. Slots naming no QP, or a producer index more than a ring ahead, are ignored and
 * counted; stale ones (already executed) are ignored. {@code modifyQp(RESET)} and destroy wait
 * until the engine has consumed every doorbell rung before them ({@link #quiesce()}). RNR timers
 * are the exception to the per-doorbell cost: while a QP waits on an RNR NAK, the idle engine
 * scans the device's QPs for expired timers.
 *
 * <p><b>Shortcut.</b> In either mode, a pass whose batch is one inline RDMA_WRITE or SEND first
 * tries {@link #shortcut}: the common success case, executed from the WQE (the BlueFlame copy in
 * THREAD mode) without the cursors and dispatch of a general WQE; it defers to the pass, having
 * changed nothing it relies on, for anything it does not cover.
 *
 * <p><b>Lines.</b> A QP's and a CQ's host-written fields, engine-written fields and read-mostly
 * fields lie 128 bytes apart ({@link QpHostFields}, {@link QpEngineFields}), a CQ's per-CQE state
 * lies on each side's own line of its ring's control block, and every object stored to per
 * message (flyweights, cursors, translations, the send queue's block counts) keeps its fields
 * between 128-byte pads, wherever the GC places it, so that a WRITE moves only the doorbell slot's
 * line pair to the engine and the CQE's line back.
 *
 * <p><b>Trust.</b> The engine reads the doorbell slot's {@code seq} or the doorbell record with
 * acquire, then the WQEs, and validates
 * every field: a garbage opcode, ds, length or key becomes an error completion, never an exception
 * on the engine thread, and every byte it moves is granted by the key table.
 */
final class Engine {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long MAX_MSG = Integer.MAX_VALUE;
    /** A pass's outcome meaning "RNR NAK: leave the WQE at the head and retry later". */
    private static final int RNR = -1;
    /** Idle loops the engine thread spins before it starts yielding its core between polls (few-core machines). */
    private static final int IDLE_SPINS = 1 << 12;
    /** A value the next slot's touched word is compared with, so that the compiler keeps the load. */
    private static final long TOUCH_NEVER = 0x7ea5_e0f0_d00b_e11L;
    /** Where an RDMA_WRITE's inline data starts in its WQE: after the control, remote-address and inline-header segments. */
    private static final long WRITE_INLINE_DATA = SendWqe.payloadOffset(WrOpcode.RDMA_WRITE) + SendWqe.INLINE_HEADER.byteSize();
    /** Where a SEND's inline data starts in its WQE: after the control and inline-header segments. */
    private static final long SEND_INLINE_DATA = SendWqe.payloadOffset(WrOpcode.SEND) + SendWqe.INLINE_HEADER.byteSize();
    /** Slots of the THREAD mode's doorbell queue. */
    static final int DOORBELL_SLOTS = 1024;

    private final Device device;
    private final DeviceMode mode;
    private final DoorbellQueue doorbells;
    private final SendWqe[] blueFlame;
    private volatile boolean running; // WRITE_ONCE/READ_ONCE with ordering: stop() before the engine thread's last loop
    private final AtomicInteger rnrWaiters = new AtomicInteger();
    private Thread thread;
    // ---- engine thread only ----
    private QueuePair pendingHead;
    private QueuePair pendingTail;
    private volatile long ignoredDoorbells; // WRITE_ONCE by the engine thread, READ_ONCE by diagnostics and tests

    Engine(Device device, DeviceMode mode, Arena arena) {
        this.device = device;
        this.mode = mode;
        if (mode == DeviceMode.THREAD) {
            doorbells = DoorbellQueue.allocate(arena, DOORBELL_SLOTS);
            blueFlame = new SendWqe[DOORBELL_SLOTS];
            for (int i = 0; i < DOORBELL_SLOTS; i++) {
                blueFlame[i] = new SendWqe(doorbells.blueFlame(i));
            }
        } else {
            doorbells = null;
            blueFlame = null;
        }
    }

    void start() {
        if (mode != DeviceMode.THREAD) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "qpair-hca-engine");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running) {
            serve();
        }
        runPending();
    }

    /*
     * HotSpot compiles a method by the profile it has gathered. With the idle spin inside loop(),
     * the engine, busy-polling from the device's open, was compiled while idle, and the doorbell
     * path's small accessors stayed calls ("low call site frequency" in -XX:+PrintInlining) for
     * the device's life. So the spin is awaitWork()'s, and serve() runs once per doorbell: it is
     * compiled after a few thousand doorbells, from a profile in which their path is the hot one.
     */

    /** One doorbell slot, or the pending passes, once {@link #awaitWork()} has one. */
    private void serve() {
        long slot = awaitWork();
        if (slot != DoorbellQueue.EMPTY) {
            onDoorbell(slot);
            doorbells.releaseSlot();
        } else {
            runPending();
        }
    }

    /**
     * Spins until the next doorbell slot is published (returned), a pass is pending or the engine
     * stops ({@link DoorbellQueue#EMPTY}); runs due RNR timers and yields the core after
     * {@value #IDLE_SPINS} empty polls.
     */
    private long awaitWork() {
        int idle = 0;
        while (running) {
            if (doorbells.touchNext() == TOUCH_NEVER) {
                idle = 0; // never: the comparison only keeps the load that fetches the next slot's WQE line early
            }
            long slot = doorbells.pollAcquire();
            if (slot != DoorbellQueue.EMPTY) {
                return slot;
            }
            if (pendingHead != null) {
                break;
            }
            if (rnrWaiters.get() > 0) {
                runDueTimers();
            }
            if (++idle < IDLE_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return DoorbellQueue.EMPTY;
    }

    /**
     * One doorbell slot: finds the QP by its QPN, checks the producer index against what the QP
     * has executed, and runs a pass that reads the first WQE from the slot's BlueFlame copy when
     * the batch is exactly that WQE. A slot naming no QP of this device, or a producer index more
     * than a ring ahead, is ignored and counted; a stale one (already executed) is ignored.
     */
    private void onDoorbell(long slot) {
        int bf = doorbells.blueFlameBlocks(slot);
        QueuePair qp = device.qpByQpn(doorbells.qpn(slot));
        if (qp == null || qp.engine() != this) {
            ignoredDoorbells = ignoredDoorbells + 1;
            return;
        }
        int producer = doorbells.producer(slot);
        int ahead = producer - qp.deviceSq;
        if (ahead <= 0) {
            if (ahead < 0 || qp.state != QpState.ERR) {
                return;
            }
        } else if (ahead > qp.sqSlots) {
            ignoredDoorbells = ignoredDoorbells + 1;
            return;
        }
        SendWqe copy = bf == ahead && bf <= DoorbellQueue.BLUEFLAME_BLOCKS ? blueFlame[doorbells.indexOf(doorbells.consumerPosition())].at(0) : null;
        runEnginePass(qp, true, producer, copy != null && copyHoldsWqe(copy) ? copy : null);
    }

    /**
     * Whether a doorbell's BlueFlame copy holds every byte its WQE uses: inline data up to its end,
     * or {@code ds} octowords otherwise. A host posts a copy only of a WQE that fits; a slot that
     * claims more is read from the ring instead, so the slot's header never reads as WQE bytes.
     */
    private static boolean copyHoldsWqe(SendWqe wqe) {
        if ((wqe.flags() & SendWqe.FLAG_INLINE) == 0) {
            return wqe.ds() * SendWqe.OCTOWORD_SIZE <= DoorbellQueue.BLUEFLAME_BYTES;
        }
        int n = wqe.inlineByteCount();
        return n >= 0 && n <= DoorbellQueue.BLUEFLAME_BYTES - SendWqe.payloadOffset(wqe.opcode()) - SendWqe.INLINE_HEADER_BYTES;
    }

    /**
     * THREAD mode, on the engine thread: one pass of {@code qp}, reading its first WQE from
     * {@code copy} (a doorbell's BlueFlame copy, positioned at that WQE) when not null. While the
     * engine thread runs it is the only runner of every task, so the task state is set, not
     * compare-and-set: the engine writes no line a posting thread writes.
     */
    private void runEnginePass(QueuePair qp, boolean fromDoorbell, int producer, SendWqe copy) {
        qp.beginEnginePass();
        qp.passes++;
        try {
            if (copy == null || !shortcut(qp, copy, producer)) {
                pass(qp, fromDoorbell ? producer : Integer.MIN_VALUE, copy);
            }
        } catch (RuntimeException | Error e) {
            // An engine fault must not kill the device thread: the QP goes to ERR and the host hears of it.
            if (moveToError(qp)) {
                device.raise(AsyncEvent.QP_FATAL, qp.qpNum());
            }
        }
        qp.endEnginePass();
        device.handleOverflows();
    }

    /** THREAD mode, on the engine thread: queues a pass of {@code qp} after the current one. */
    private void pend(QueuePair qp) {
        if (qp.pending) {
            return;
        }
        qp.pending = true;
        qp.nextPending = null;
        if (pendingTail == null) {
            pendingHead = qp;
        } else {
            pendingTail.nextPending = qp;
        }
        pendingTail = qp;
    }

    private void runPending() {
        while (pendingHead != null) {
            QueuePair qp = pendingHead;
            pendingHead = qp.nextPending;
            if (pendingHead == null) {
                pendingTail = null;
            }
            qp.nextPending = null;
            qp.pending = false;
            runEnginePass(qp, false, 0, null);
        }
    }

    /**
     * The doorbell's effect on the engine: INLINE mode runs the QP's task here; THREAD mode rings
     * the doorbell queue with the published send producer index (the engine thread queues the pass
     * for itself); once the engine thread has stopped, the caller runs the task.
     */
    void doorbell(QueuePair qp) {
        if (mode == DeviceMode.THREAD) {
            if (Thread.currentThread() == thread) {
                pend(qp);
                return;
            }
            if (ring(qp, DoorbellRecord.sendProducerAcquire(qp.record), null, 0, 0)) {
                return;
            }
            awaitEngineThreadExit();
        }
        if (qp.scheduleTask()) {
            runTask(qp);
        }
    }

    /**
     * THREAD mode, after {@link #stop()}: the caller runs the task itself, once the engine thread,
     * which ran passes without the task state's CAS, has finished its last one.
     */
    private void awaitEngineThreadExit() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether posts ring the doorbell queue ({@link #ring}) rather than calling {@link #doorbell}. */
    boolean threaded() {
        return doorbells != null;
    }

    /**
     * THREAD mode: rings the doorbell queue for {@code qp}'s send producer index {@code producer},
     * with a BlueFlame copy of the first {@code bytes} bytes of the WQE of {@code blocks} basic
     * blocks at {@code wqe} when {@code wqe} is not null. Waits while the queue is full. {@code false} when the engine thread has stopped:
     * then the caller runs the task itself.
     */
    boolean ring(QueuePair qp, int producer, SendWqe wqe, int blocks, int bytes) {
        long position;
        int spins = 0;
        while ((position = doorbells.claim()) == DoorbellQueue.FULL) {
            if (!running) {
                return false;
            }
            if (++spins < IDLE_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        if (wqe != null) {
            doorbells.copyBlueFlame(position, wqe, bytes);
        } else {
            blocks = 0;
        }
        doorbells.publish(position, qp.qpNum(), producer, blocks);
        return running;
    }

    /**
     * THREAD mode, from a thread other than the engine's: returns once the engine has consumed every
     * doorbell rung before the call (or has stopped), so no stale slot of a QP outlives its reset
     * or destruction.
     */
    void quiesce() {
        if (doorbells == null || Thread.currentThread() == thread) {
            return;
        }
        int claimed = doorbells.claimedAcquire();
        int spins = 0;
        while (running && doorbells.consumedAcquire() - claimed < 0) {
            if (++spins < IDLE_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Doorbell slots the engine ignored: a QPN of no QP of this device, or a producer index more than a ring ahead. */
    long ignoredDoorbells() {
        return ignoredDoorbells;
    }

    /** THREAD mode: the doorbell queue (tests ring garbage into it). */
    DoorbellQueue doorbellQueue() {
        return doorbells;
    }

    /** Runs the QP's task (the caller owns it: INLINE mode, or after the engine thread stopped) over the doorbell record. */
    private void runTask(QueuePair qp) {
        do {
            qp.passes++;
            try {
                if (!shortcutFromRing(qp)) {
                    pass(qp, Integer.MIN_VALUE, null);
                }
            } catch (RuntimeException | Error e) {
                // An engine fault must not kill the device thread: the QP goes to ERR and the host hears of it.
                if (moveToError(qp)) {
                    device.raise(AsyncEvent.QP_FATAL, qp.qpNum());
                }
            }
        } while (qp.finishTaskPass());
        device.handleOverflows();
    }

    void runDueTimers() {
        if (rnrWaiters.get() == 0) {
            return;
        }
        long now = System.nanoTime();
        for (QueuePair qp : device.allQps()) {
            if (qp.rnrWaiting && now - qp.rnrDeadline >= 0) {
                qp.engine().doorbell(qp);
            }
        }
    }

    // ---- the requester pass ----

    /**
     * One pass over the send queue up to {@code producer}, a doorbell slot's producer index already
     * read with acquire, or (when {@code copy} is null and {@code producer} is
     * {@code Integer.MIN_VALUE}) the doorbell record's. The WQE at {@code producer} minus the
     * copy's blocks is read from {@code copy}, the others from the ring.
     */
    private void pass(QueuePair qp, int producer, SendWqe copy) {
        QpState s = qp.state;
        if (s == QpState.ERR) {
            flushSend(qp);
            return;
        }
        if (s != QpState.RTS) {
            return;
        }
        if (qp.rnrWaiting && rnrHolds(qp)) {
            return;
        }
        int copyIndex = qp.deviceSq;
        if (copy == null && producer == Integer.MIN_VALUE) {
            producer = DoorbellRecord.sendProducerAcquire(qp.record);
        }
        SendWqe ring = qp.deviceWqe;
        while (qp.deviceSq != producer) {
            if (qp.state != QpState.RTS) {
                break;
            }
            int index = qp.deviceSq;
            SendWqe wqe = copy != null && index == copyIndex ? copy.at(0) : ring.at(index);
            int avail = producer - index;
            int ds = wqe.ds();
            int blocks = SendWqe.basicBlocks(ds);
            int status;
            int byteLen = 0;
            if (avail < 0 || blocks == 0 || blocks > SendWqe.MAX_BASIC_BLOCKS || blocks > avail) {
                status = WcStatus.LOC_QP_OP_ERR;
                blocks = malformedSpan(avail, blocks);
            } else {
                long r = execute(qp, wqe, ds);
                if (r == RNR) {
                    return;
                }
                status = (int) (r >>> 32);
                byteLen = (int) r;
            }
            if (status != WcStatus.SUCCESS || (wqe.flags() & SendWqe.FLAG_SIGNALED) != 0) {
                completeSend(qp, wqe, index, status, byteLen);
            }
            qp.deviceSq = index + blocks;
            if (status != WcStatus.SUCCESS) {
                moveToError(qp);
                flushSend(qp);
                return;
            }
        }
        if (qp.state == QpState.ERR) {
            flushSend(qp);
        }
    }

    /**
     * INLINE mode, in the QP's task: {@link #shortcut} for the WQE at the head of the send queue,
     * when the doorbell record says there is one.
     */
    private boolean shortcutFromRing(QueuePair qp) {
        int producer = DoorbellRecord.sendProducerAcquire(qp.record);
        int index = qp.deviceSq;
        return producer != index && shortcut(qp, qp.deviceWqe.at(index), producer);
    }

    /**
     * Executes {@code wqe} (the head of the send queue: the ring's WQE, or a doorbell's BlueFlame
     * copy of it) without a general pass when it is the whole batch up to {@code producer}, spans at
     * most {@link SendWqe#MAX_BASIC_BLOCKS} basic blocks (a larger ds is the pass's LOC_QP_OP_ERR), carries
     * its payload inline, the QP is in RTS and not waiting on an RNR NAK, and it is an RDMA_WRITE or
     * a SEND that {@link #writeInlineShortcut} or {@link #sendInlineShortcut} covers. Otherwise it
     * returns {@code false} having changed nothing but the peer responder's caches of its posted
     * receives, and {@link #pass} executes the WQE, so every
     * error and corner case keeps its one code path; this skips only the cursors and the dispatch
     * a general WQE needs, on write-lat's and send-lat's critical paths.
     */
    private boolean shortcut(QueuePair qp, SendWqe wqe, int producer) {
        int blocks = SendWqe.basicBlocks(wqe.ds());
        if ((wqe.flags() & SendWqe.FLAG_INLINE) == 0 || qp.state != QpState.RTS || qp.rnrWaiting
                || blocks > SendWqe.MAX_BASIC_BLOCKS || blocks != producer - qp.deviceSq) {
            return false;
        }
        int op = wqe.opcode();
        if (op == WrOpcode.RDMA_WRITE) {
            return writeInlineShortcut(qp, wqe, producer);
        }
        return (op == WrOpcode.SEND || op == WrOpcode.SEND_WITH_IMM) && sendInlineShortcut(qp, wqe, op, producer);
    }

    /**
     * An inline RDMA_WRITE of 1 to MTU bytes whose target is one piece of a region the peer's rkey
     * grants, to a responder in RTR, RTS or SQD at the expected PSN: the bytes go straight from the
     * WQE to the target.
     */
    private boolean writeInlineShortcut(QueuePair qp, SendWqe wqe, int producer) {
        int n = wqe.inlineByteCount();
        if (n <= 0 || n > qp.maxInlineData || n > qp.mtu || !inlineDataWithin(wqe, WRITE_INLINE_DATA, n)) {
            return false;
        }
        Responder peer = qp.peerResponder;
        if (peer == null) {
            return false;
        }
        Translation t = qp.shortcutTranslation;
        if (peer.pd.table().lookup(wqe.rkey(), wqe.remoteAddress(), n, AccessFlags.REMOTE_WRITE, peer.pd, t) != AccessStatus.OK
                || !t.next() || t.length() != n) {
            return false;
        }
        peer.lock();
        try {
            if (!peer.acceptsRequest(qp.sqPsn)) {
                return false;
            }
            MemorySegment.copy(wqe.ring(), wqe.offset() + WRITE_INLINE_DATA, t.segment(), t.offset(), n);
            peer.expectedPsn = (peer.expectedPsn + 1) & 0xff_ffff;
        } finally {
            peer.unlock();
        }
        qp.sqPsn = (qp.sqPsn + 1) & 0xff_ffff;
        qp.shortcutWrites++;
        int index = qp.deviceSq;
        if ((wqe.flags() & SendWqe.FLAG_SIGNALED) != 0) {
            qp.sendCq().produce(wqe.wrId(), WcStatus.SUCCESS, WcOpcode.RDMA_WRITE, n, 0, 0, qp.qpNum(), qp.destQpn, index & 0xffff);
        }
        qp.deviceSq = producer;
        return true;
    }

    /**
     * An inline SEND or SEND_WITH_IMM of 1 byte up to the peer's receive CQE's inline scatter size,
     * to a responder in RTR, RTS or SQD at the expected PSN with a posted receive whose SGEs its
     * keys grant and hold the message: the bytes go straight from the WQE into the receive CQE.
     */
    private boolean sendInlineShortcut(QueuePair qp, SendWqe wqe, int op, int producer) {
        int n = wqe.inlineByteCount();
        Responder peer = qp.peerResponder;
        if (peer == null || n <= 0 || n > qp.maxInlineData || n > qp.mtu || n > peer.recvCq.maxInlineScatter()
                || !inlineDataWithin(wqe, SEND_INLINE_DATA, n)) {
            return false;
        }
        int flags = wqe.flags();
        int index = qp.deviceSq;
        peer.lock();
        try {
            if (!peer.acceptsRequest(qp.sqPsn) || !peer.hasRecv()) {
                return false;
            }
            long slot = peer.slotOffset(peer.deviceRq);
            int sges = RecvWqe.numSgeAt(peer.ring, slot);
            if (sges < 1 || sges > peer.maxSges || validateRecv(peer, slot, sges, qp.recvTranslation) < n) {
                return false;
            }
            peer.recvCq.produceInline(RecvWqe.wrIdAt(peer.ring, slot), WcOpcode.RECV, n, immDataOf(wqe, op), recvWcFlags(op, flags),
                    peer.qpn, qp.qpNum(), peer.deviceRq & 0xffff, wqe.ring(), wqe.offset() + SEND_INLINE_DATA);
            peer.expectedPsn = (peer.expectedPsn + 1) & 0xff_ffff;
            peer.recvDelivered();
        } finally {
            peer.unlock();
        }
        qp.sqPsn = (qp.sqPsn + 1) & 0xff_ffff;
        qp.shortcutSends++;
        if ((flags & SendWqe.FLAG_SIGNALED) != 0) {
            qp.sendCq().produce(wqe.wrId(), WcStatus.SUCCESS, WcOpcode.SEND, n, 0, 0, qp.qpNum(), qp.destQpn, index & 0xffff);
        }
        qp.deviceSq = producer;
        return true;
    }

    /** A SEND's receive completion flags: WITH_IMM for SEND_WITH_IMM, SOLICITED when the WR asked for it. */
    private static int recvWcFlags(int op, int flags) {
        return (op == WrOpcode.SEND_WITH_IMM ? Cqe.WC_FLAG_WITH_IMM : 0) | ((flags & SendWqe.FLAG_SOLICITED) != 0 ? Cqe.WC_FLAG_SOLICITED : 0);
    }

    /** A SEND's immediate data for its receive completion: the WQE's for SEND_WITH_IMM, else 0. */
    private static int immDataOf(SendWqe wqe, int op) {
        return op == WrOpcode.SEND_WITH_IMM ? wqe.immData() : 0;
    }

    /** Whether {@code n} inline bytes at {@code data} lie within the WQE's {@code ds} and, unwrapped, within its ring. */
    private static boolean inlineDataWithin(SendWqe wqe, long data, int n) {
        return data + n <= wqe.ds() * SendWqe.OCTOWORD_SIZE && wqe.offset() + data + n <= wqe.ring().byteSize();
    }

    /*
     * pass() stays under HotSpot's FreqInlineSize (325 bytecodes) so that it inlines into the
     * task loop; its cold branches live in the two methods below.
     */

    /** An RNR wait not yet due and not kicked by a postRecv holds the pass; a due or kicked one ends. */
    private static boolean rnrHolds(QueuePair qp) {
        if (!qp.rnrKicked && System.nanoTime() - qp.rnrDeadline < 0) {
            return true;
        }
        qp.rnrKicked = false;
        return false;
    }

    /** The slots a malformed WQE (bad ds, or past the producer index) consumes: at least one, at most what was posted. */
    private static int malformedSpan(int avail, int blocks) {
        return avail <= 0 ? 1 : Math.max(1, Math.min(blocks, avail));
    }

    private void completeSend(QueuePair qp, SendWqe wqe, int index, int status, int byteLen) {
        qp.sendCq().produce(wqe.wrId(), status, wcOpcode(wqe.opcode()), byteLen, 0, 0, qp.qpNum(), qp.destQpn, index & 0xffff);
    }

    private static int wcOpcode(int op) {
        return switch (op) {
            case WrOpcode.RDMA_WRITE, WrOpcode.RDMA_WRITE_WITH_IMM -> WcOpcode.RDMA_WRITE;
            case WrOpcode.RDMA_READ -> WcOpcode.RDMA_READ;
            case WrOpcode.ATOMIC_CMP_AND_SWP -> WcOpcode.COMP_SWAP;
            case WrOpcode.ATOMIC_FETCH_AND_ADD -> WcOpcode.FETCH_ADD;
            case WrOpcode.LOCAL_INV -> WcOpcode.LOCAL_INV;
            default -> WcOpcode.SEND;
        };
    }

    private static long result(int status, long byteLen) {
        return (long) status << 32 | (byteLen & 0xffff_ffffL);
    }

    /** Executes one WQE: {@code status << 32 | byte_len}, or {@link #RNR}. */
    private long execute(QueuePair qp, SendWqe wqe, int ds) {
        int op = wqe.opcode();
        int flags = wqe.flags();
        boolean supported = op == WrOpcode.SEND || op == WrOpcode.SEND_WITH_IMM || op == WrOpcode.RDMA_WRITE
                || op == WrOpcode.RDMA_WRITE_WITH_IMM || op == WrOpcode.RDMA_READ || WrOpcode.hasAtomic(op) || op == WrOpcode.NOP;
        if (!supported) {
            return result(WcStatus.LOC_QP_OP_ERR, 0);
        }
        if (op == WrOpcode.NOP) {
            return result(WcStatus.SUCCESS, 0);
        }
        int payloadBytes = ds * SendWqe.OCTOWORD_SIZE - SendWqe.payloadOffset(op);
        if (payloadBytes < 0) {
            return result(WcStatus.LOC_QP_OP_ERR, 0);
        }
        boolean atomic = WrOpcode.hasAtomic(op);
        boolean scatter = op == WrOpcode.RDMA_READ || atomic;
        Sgl local = qp.localSgl;
        if ((flags & SendWqe.FLAG_INLINE) != 0) {
            int n = wqe.inlineByteCount();
            if (!WrOpcode.allowsInline(op) || n < 0 || n > qp.maxInlineData
                    || n + SendWqe.INLINE_HEADER_BYTES > payloadBytes) {
                return result(WcStatus.LOC_QP_OP_ERR, 0);
            }
            MemorySegment ring = wqe.ring();
            long at = (wqe.offset() + SendWqe.payloadOffset(op) + SendWqe.INLINE_HEADER.byteSize()) & (ring.byteSize() - 1);
            local.raw(ring, at, n);
        } else {
            int numSge = payloadBytes / (int) SendWqe.DATA_SEGMENT.byteSize();
            if (numSge > qp.maxSendSge) {
                return result(WcStatus.LOC_QP_OP_ERR, 0);
            }
            local.sendSges(wqe, numSge, scatter ? AccessFlags.LOCAL_WRITE : 0, qp.pd());
        }
        long len = local.validate();
        if (len < 0) {
            int refusal = (int) (-1 - len);
            return result(refusal == AccessStatus.OUT_OF_BOUNDS ? WcStatus.LOC_LEN_ERR : WcStatus.LOC_PROT_ERR, 0);
        }
        if (len > MAX_MSG || len > qp.device().queryPort().maxMsgSize() || (atomic && len != Long.BYTES)) {
            return result(WcStatus.LOC_LEN_ERR, 0);
        }
        QueuePair peer = qp.peer;
        if (peer == null) {
            return result(WcStatus.RETRY_EXC_ERR, 0);
        }
        Responder resp = qp.peerResponder;
        long r;
        boolean peerFailed;
        resp.lock();
        try {
            r = respond(qp, resp, wqe, op, local, len);
            peerFailed = resp.state() == QpState.ERR;
        } finally {
            resp.unlock();
        }
        if (peerFailed) {
            peer.engine().doorbell(peer);
        }
        return r;
    }

    /** The responder, run under {@code peer}'s lock: one request arrives, the answer is the requester's status. */
    private long respond(QueuePair qp, Responder peer, SendWqe wqe, int op, Sgl local, long len) {
        if (!peer.acceptsRequest(qp.sqPsn)) {
            return result(WcStatus.RETRY_EXC_ERR, 0);
        }
        int packets = (int) Math.max(1, (len + qp.mtu - 1) / qp.mtu);
        boolean needsRecv = op == WrOpcode.SEND || op == WrOpcode.SEND_WITH_IMM || op == WrOpcode.RDMA_WRITE_WITH_IMM;
        if (needsRecv && !peer.hasRecv()) {
            long nak = rnr(qp);
            if (nak == RNR) {
                peer.rnrNaked(true);
            }
            return nak;
        }
        if (qp.rnrWaiting) {
            setRnrWaiting(qp, false);
            qp.rnrRetriesLeft = qp.rnrRetry;
        }
        int status;
        switch (op) {
            case WrOpcode.SEND, WrOpcode.SEND_WITH_IMM -> {
                long slot = peer.slotOffset(peer.deviceRq);
                int n = RecvWqe.numSgeAt(peer.ring, slot);
                if (n < 0 || n > peer.maxSges) {
                    return responderError(qp, peer, WcStatus.LOC_QP_OP_ERR, WcStatus.REM_OP_ERR, len);
                }
                long room = validateRecv(peer, slot, n, qp.recvTranslation);
                if (room < 0) {
                    int refusal = (int) (-1 - room);
                    return responderError(qp, peer, refusal == AccessStatus.OUT_OF_BOUNDS ? WcStatus.LOC_LEN_ERR : WcStatus.LOC_PROT_ERR,
                            WcStatus.REM_OP_ERR, len);
                }
                if (room < len) {
                    return responderError(qp, peer, WcStatus.LOC_LEN_ERR, WcStatus.REM_INV_REQ_ERR, len);
                }
                int wcFlags = recvWcFlags(op, wqe.flags());
                int immData = immDataOf(wqe, op);
                if (len > 0 && len <= peer.recvCq.maxInlineScatter()) {
                    int answer = peer.recvCq.produceScatter(RecvWqe.wrIdAt(peer.ring, slot), WcStatus.SUCCESS, WcOpcode.RECV, (int) len,
                            immData, wcFlags, peer.qpn, qp.qpNum(), peer.deviceRq & 0xffff, local);
                    peer.recvDelivered();
                    if (answer == CompletionQueue.SOURCE_REFUSED) {
                        moveToError(peer.qp);
                        return result(WcStatus.REM_OP_ERR, 0);
                    }
                } else {
                    Sgl rs = qp.recvSgl.recvSges(peer.ring, slot, n, AccessFlags.LOCAL_WRITE, peer.pd);
                    if (Sgl.copy(local, rs, len) != AccessStatus.OK) {
                        return responderError(qp, peer, WcStatus.LOC_PROT_ERR, WcStatus.REM_OP_ERR, len);
                    }
                    completeRecv(qp, peer, WcOpcode.RECV, len, immData, wcFlags);
                }
                status = WcStatus.SUCCESS;
            }
            case WrOpcode.RDMA_WRITE, WrOpcode.RDMA_WRITE_WITH_IMM -> {
                Sgl remote = qp.remoteSgl.range(wqe.rkey(), wqe.remoteAddress(), len, AccessFlags.REMOTE_WRITE, peer.pd);
                long v = remote.validate();
                if (v < 0) {
                    return responderError(qp, peer, -1, WcStatus.REM_ACCESS_ERR, len);
                }
                if (Sgl.copy(local, remote, len) != AccessStatus.OK) {
                    return responderError(qp, peer, -1, WcStatus.REM_ACCESS_ERR, len);
                }
                if (op == WrOpcode.RDMA_WRITE_WITH_IMM) {
                    completeRecv(qp, peer, WcOpcode.RECV_RDMA_WITH_IMM, len, wqe.immData(), Cqe.WC_FLAG_WITH_IMM);
                }
                status = WcStatus.SUCCESS;
            }
            case WrOpcode.RDMA_READ -> {
                Sgl remote = qp.remoteSgl.range(wqe.rkey(), wqe.remoteAddress(), len, AccessFlags.REMOTE_READ, peer.pd);
                long v = remote.validate();
                if (v < 0) {
                    return responderError(qp, peer, -1, WcStatus.REM_ACCESS_ERR, len);
                }
                if (Sgl.copy(remote, local, len) != AccessStatus.OK) {
                    return responderError(qp, peer, -1, WcStatus.REM_ACCESS_ERR, len);
                }
                status = WcStatus.SUCCESS;
            }
            default -> {
                long raddr = wqe.remoteAddress();
                if ((raddr & (Long.BYTES - 1)) != 0) {
                    return responderError(qp, peer, -1, WcStatus.REM_INV_REQ_ERR, len);
                }
                Translation t = qp.atomicTranslation;
                int st = peer.pd.table().lookup(wqe.rkey(), raddr, Long.BYTES, AccessFlags.REMOTE_ATOMIC, peer.pd, t);
                if (st != AccessStatus.OK || !t.next()) {
                    return responderError(qp, peer, -1,
                            st == AccessStatus.MISALIGNED_ATOMIC ? WcStatus.REM_INV_REQ_ERR : WcStatus.REM_ACCESS_ERR, len);
                }
                MemorySegment target = t.segment();
                long at = t.offset();
                long old = op == WrOpcode.ATOMIC_CMP_AND_SWP
                        ? (long) LONG.compareAndExchange(target, at, wqe.compare(), wqe.swapAdd()) // atomic_cmpxchg(): full barrier, the responder's atomic
                        : (long) LONG.getAndAdd(target, at, wqe.swapAdd()); // atomic_fetch_add(): full barrier, the responder's atomic
                while (t.next()) {
                    // drains the translation: an 8-byte aligned atomic is one piece
                }
                qp.atomicScratch.set(ValueLayout.JAVA_LONG, 0, old);
                if (Sgl.copy(qp.scratchSgl.raw(qp.atomicScratch, 0, Long.BYTES), local, Long.BYTES) != AccessStatus.OK) {
                    status = WcStatus.LOC_PROT_ERR;
                    break;
                }
                status = WcStatus.SUCCESS;
            }
        }
        peer.expectedPsn = (peer.expectedPsn + packets) & 0xff_ffff;
        qp.sqPsn = (qp.sqPsn + packets) & 0xff_ffff;
        return result(status, len);
    }

    /** Looks up each SGE of the receive WQE at {@code slot}: their total length, or {@code -1 - status} for the first refusal. */
    private static long validateRecv(Responder peer, long slot, int n, Translation t) {
        long total = 0;
        for (int i = 0; i < n; i++) {
            long len = RecvWqe.sgeLengthAt(peer.ring, slot, i) & 0xffff_ffffL;
            int st = peer.pd.table().lookup(RecvWqe.sgeLkeyAt(peer.ring, slot, i), RecvWqe.sgeAddressAt(peer.ring, slot, i), len,
                    AccessFlags.LOCAL_WRITE, peer.pd, t);
            if (st != AccessStatus.OK) {
                return -1 - st;
            }
            total += len;
        }
        return total;
    }

    private long rnr(QueuePair qp) {
        if (qp.rnrRetry != QpAttr.RNR_RETRY_INFINITE) {
            if (qp.rnrRetriesLeft == 0) {
                setRnrWaiting(qp, false);
                qp.rnrRetriesLeft = qp.rnrRetry;
                return result(WcStatus.RNR_RETRY_EXC_ERR, 0);
            }
            qp.rnrRetriesLeft--;
        }
        qp.rnrDeadline = System.nanoTime() + qp.rnrTimerNanos;
        setRnrWaiting(qp, true);
        return RNR;
    }

    /** RESET, with the QP's task idle: ends an RNR wait, so that the next incarnation neither inherits its deadline nor keeps the timers scanned. */
    void clearRnrWait(QueuePair qp) {
        setRnrWaiting(qp, false);
        qp.rnrKicked = false;
        qp.rnrRetriesLeft = qp.rnrRetry;
    }

    private static void setRnrWaiting(QueuePair qp, boolean waiting) {
        if (qp.casRnrWaiting(!waiting, waiting)) {
            if (waiting) {
                qp.engine().rnrWaiters.incrementAndGet();
            } else {
                qp.engine().rnrWaiters.decrementAndGet();
            }
        }
    }

    /**
     * A request the responder refuses: it NAKs with {@code requesterStatus}, completes the receive
     * it consumed with {@code responderStatus} (-1: none consumed) and moves to ERR, as IBTA's
     * class C and D errors do. The caller holds {@code peer}'s lock.
     */
    private long responderError(QueuePair qp, Responder peer, int responderStatus, int requesterStatus, long len) {
        if (responderStatus >= 0) {
            long slot = peer.slotOffset(peer.deviceRq);
            peer.recvCq.produce(RecvWqe.wrIdAt(peer.ring, slot), responderStatus, WcOpcode.RECV, 0, 0, 0, peer.qpn, qp.qpNum(),
                    peer.deviceRq & 0xffff);
            peer.deviceRq++;
        }
        moveToError(peer.qp);
        return result(requesterStatus, 0);
    }

    private void completeRecv(QueuePair qp, Responder peer, int opcode, long len, int imm, int flags) {
        long slot = peer.slotOffset(peer.deviceRq);
        peer.recvCq.produce(RecvWqe.wrIdAt(peer.ring, slot), WcStatus.SUCCESS, opcode, (int) len, imm, flags, peer.qpn, qp.qpNum(),
                peer.deviceRq & 0xffff);
        peer.recvDelivered();
    }

    // ---- errors and flushes ----

    /**
     * Moves {@code qp} to ERR (once): flushes its receive queue now and schedules its task to
     * flush the send queue. Any thread; takes the QP's responder lock.
     *
     * @return {@code true} when this call made the move
     */
    boolean moveToError(QueuePair qp) {
        for (;;) {
            QpState s = qp.state;
            if (s == QpState.ERR) {
                return false;
            }
            if (qp.casState(s, QpState.ERR)) {
                break;
            }
        }
        setRnrWaiting(qp, false);
        flushRecv(qp);
        qp.engine().doorbell(qp);
        return true;
    }

    /** Completes every posted receive of a QP in ERR with WR_FLUSH_ERR, in order, each once (also those read ahead). */
    void flushRecv(QueuePair qp) {
        Responder r = qp.responder;
        r.lock();
        try {
            if (qp.state != QpState.ERR) {
                return;
            }
            int producer = r.refreshPosted();
            int limit = r.capacity;
            while (r.deviceRq != producer && limit-- > 0) {
                long slot = r.slotOffset(r.deviceRq);
                r.recvCq.produce(RecvWqe.wrIdAt(r.ring, slot), WcStatus.WR_FLUSH_ERR, WcOpcode.RECV, 0, 0, 0, r.qpn, qp.destQpn,
                        r.deviceRq & 0xffff);
                r.deviceRq++;
            }
        } finally {
            r.unlock();
        }
    }

    /** In the QP's task: completes every posted send WQE of a QP in ERR with WR_FLUSH_ERR. */
    private void flushSend(QueuePair qp) {
        int producer = DoorbellRecord.sendProducerAcquire(qp.record);
        SendWqe wqe = qp.deviceWqe;
        while (qp.deviceSq != producer) {
            int index = qp.deviceSq;
            int avail = producer - index;
            if (avail < 0 || avail > qp.sqSlots) {
                qp.deviceSq = producer;
                return;
            }
            wqe.at(index);
            int blocks = Math.max(1, Math.min(SendWqe.basicBlocks(wqe.ds()), avail));
            completeSend(qp, wqe, index, WcStatus.WR_FLUSH_ERR, 0);
            qp.deviceSq = index + blocks;
        }
    }
}
