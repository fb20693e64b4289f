package dev.qpair.hca;

import dev.qpair.rings.CqConsumer;
import dev.qpair.rings.CqProducer;
import dev.qpair.rings.CqRing;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcOpcode;
import java.lang.foreign.Arena;

/**
 * A completion queue ({@code ibv_cq_ex}) over a {@link CqRing}, polled in place in the shape of
 * {@code ibv_start_poll / ibv_next_poll / ibv_end_poll}:
 *
 * <pre>{@code
 * if (cq.startPoll()) {
 *     do {
 *         handle(cq.wrId(), cq.status(), cq.opcode(), cq.byteLen());
 *     } while (cq.nextPoll());
 *     cq.endPoll();
 * }
 * }</pre>
 *
 * The accessors read the current CQE where the device wrote it. Polling a send completion frees
 * the send-queue slots of its WR and of every unsignaled WR before it; polling a receive completion
 * frees its receive slot. One polling thread at a time; nothing on the poll path allocates.
 *
 * <p><b>Overflow.</b> The device never overwrites an unpolled CQE. When it finds the CQ full it
 * drops the CQE, marks the CQ overflowed ({@link #isOverflowed()}), raises
 * {@link AsyncEvent#CQ_ERR} and moves every QP that uses this CQ to ERR, as an HCA does. The
 * dropped completions are counted ({@link #droppedCqes()}); a CQ that overflowed is broken.
 */
public final class CompletionQueue extends CqHostPad {

    private final Device device;
    private final int cqn;
    private final CqRing ring;
    private final CqConsumer consumer;
    private final Cqe cqe;
    private final CqProducer producer;
    private final Cqe deviceCqe;
    /** Allocated first and held: the producer's lock starts a line pair away from this object, which pollers read. */
    @SuppressWarnings("unused")
    private final long[] producerPad = new long[16];
    final SpinLock producerLock = new SpinLock();
    private volatile boolean overflowed; // smp_store_release/smp_load_acquire: producers after the overflow drop their CQEs
    volatile boolean overflowHandled; // read and written under the device's monitor; volatile for isOverflowed-style diagnostics
    private long dropped;
    /** Allocated between the producer's objects and the poller's, and held, so they never share a line. */
    @SuppressWarnings("unused")
    private final long[] pollerPad;

    CompletionQueue(Device device, int cqn, Arena arena, int capacity, int cqeSize) {
        this.device = device;
        this.cqn = cqn;
        this.ring = CqRing.allocate(arena, capacity, cqeSize);
        this.producer = ring.producer();
        this.deviceCqe = ring.newCqe();
        this.pollerPad = new long[16];
        this.consumer = ring.consumer();
        this.cqe = ring.newCqe();
    }

    /** The CQ number. */
    public int cqn() {
        return cqn;
    }

    /** CQEs the CQ holds. */
    public int capacity() {
        return ring.capacity();
    }

    /** Whether the device found this CQ full and dropped a completion. */
    public boolean isOverflowed() {
        return overflowed;
    }

    /** Completions the device dropped because the CQ was full. */
    public synchronized long droppedCqes() {
        return dropped;
    }

    // ---- host side: ibv_start_poll / ibv_next_poll / ibv_end_poll ----

    /**
     * {@code ibv_start_poll}: positions on the oldest completion, if any.
     *
     * @return {@code false} when the CQ is empty (ENOENT): then do not call {@link #endPoll()}
     */
    public boolean startPoll() {
        long offset = consumer.pollAcquire();
        if (offset == CqConsumer.CQ_EMPTY) {
            device.progressIfInline();
            return false;
        }
        polling = true;
        positioned = true;
        onPolled(offset);
        return true;
    }

    /** {@code ibv_next_poll}: steps to the next completion; {@code false} when there is none. */
    public boolean nextPoll() {
        checkPolling("nextPoll");
        if (positioned) {
            consumer.advance();
        }
        long offset = consumer.pollAcquire();
        if (offset == CqConsumer.CQ_EMPTY) {
            positioned = false;
            return false;
        }
        positioned = true;
        onPolled(offset);
        return true;
    }

    /** {@code ibv_end_poll}: steps past the current completion, if any, and returns the polled CQEs to the device. */
    public void endPoll() {
        checkPolling("endPoll");
        polling = false;
        if (positioned) {
            consumer.advance();
            positioned = false;
        }
        consumer.publishConsumerIndexRelease();
    }

    private void checkPolling(String call) {
        if (!polling) {
            throw new IllegalStateException(call + "() without a successful startPoll() on CQ " + cqn);
        }
    }

    private void onPolled(long offset) {
        cqe.at(consumer.entries(), offset);
        QueuePair qp = device.qpByQpn(cqe.qpn());
        if (qp == null) {
            return;
        }
        if (cqe.opcode() < WcOpcode.RECV) {
            qp.onSendCompletionPolled(cqe.wqeCounter());
        } else {
            qp.onRecvCompletionPolled();
        }
    }

    /** {@code wr_id} of the current completion. */
    public long wrId() {
        return cqe.wrId();
    }

    /** {@code status}: a {@link dev.qpair.rings.WcStatus}. */
    public int status() {
        return cqe.status();
    }

    /** {@code opcode}: a {@link WcOpcode}. */
    public int opcode() {
        return cqe.opcode();
    }

    /** {@code byte_len}: bytes transferred. */
    public int byteLen() {
        return cqe.byteLen();
    }

    /** {@code imm_data}: valid when {@link #wcFlags()} has {@link Cqe#WC_FLAG_WITH_IMM}. */
    public int immData() {
        return cqe.immData();
    }

    /** {@code src_qp}: the peer QP. */
    public int srcQp() {
        return cqe.srcQp();
    }

    /** {@code qp_num}: the local QP. */
    public int qpNum() {
        return cqe.qpn();
    }

    /** {@code wc_flags}: {@link Cqe}'s {@code WC_FLAG_*} bits. */
    public int wcFlags() {
        return cqe.wcFlags();
    }

    // ---- device side ----

    /** Writes one CQE; {@code false} when the CQ overflowed and the CQE was dropped. */
    boolean produce(long wrId, int status, int opcode, int byteLen, int immData, int wcFlags, int qpn, int srcQp,
            int wqeCounter) {
        producerLock.lock();
        try {
            long offset = overflowed ? CqProducer.CQ_FULL : producer.claim();
            if (offset == CqProducer.CQ_FULL) {
                markOverflow();
                return false;
            }
            deviceCqe.at(producer.entries(), offset)
                    .wrId(wrId).byteLen(byteLen).immData(immData).qpn(qpn).srcQp(srcQp).wqeCounter(wqeCounter)
                    .opcode(opcode).status(status).wcFlags(wcFlags).vendorErr(0);
            producer.publishOwnerRelease();
            return true;
        } finally {
            producerLock.unlock();
        }
    }

    private synchronized void markOverflow() {
        dropped++;
        if (!overflowed) {
            overflowed = true;
            device.cqOverflowed();
        }
    }
}
