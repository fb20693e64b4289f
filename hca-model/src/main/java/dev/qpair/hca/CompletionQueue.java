package dev.qpair.hca;

import dev.qpair.memory.AccessStatus;
import dev.qpair.rings.CqConsumer;
import dev.qpair.rings.CqProducer;
import dev.qpair.rings.CqRing;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
 *
 * <p><b>Scatter to CQE.</b> A SEND (or SEND_WITH_IMM) of 1 to {@link #maxInlineScatter()} bytes
 * travels inside the receive's CQE (32 bytes in a 64-byte CQE, 96 in a 128-byte one, as mlx5
 * scatters small payloads into its CQEs): the device validates the receive WQE's SGEs as for any
 * SEND, and the poll that returns the completion first copies the payload into them, so the bytes
 * are in the receive buffers when {@link #startPoll()} or {@link #nextPoll()} returns, as without
 * it. It is always on; the CQE size chosen at {@link Device#createCq(int, int)} sets the limit.
 * The payload then crosses from the sending core to the polling core in the CQE's lines, and the
 * receive buffer never leaves the polling core. Should the copy fail (the receive's MR was
 * invalidated after the device checked it), the completion reports {@code LOC_PROT_ERR}.
 *
 * <p><b>Lines.</b> The device's per-CQE state (producer index, cached consumer index, producer
 * lock) and the host's (poll position, poll state) live off-heap on separate 128-byte lines of
 * the ring's control block; this object holds only what never changes per CQE.
 */
public final class CompletionQueue {

    /** {@link #produceScatter}'s answers: written, dropped (overflow), written with LOC_PROT_ERR (the source refused). */
    static final int SCATTERED = 0;
    static final int DROPPED = 1;
    static final int SOURCE_REFUSED = 2;

    private static final int IDLE = 0;
    private static final int POSITIONED = 1;
    private static final int PAST = 2;
    /** 128 bytes of longs: the poll cursor's padding on each side. */
    private static final int POLLED_OFFSET = 16;

    private final Device device;
    private final int cqn;
    private final CqRing ring;
    private final MemorySegment entries;
    private final CqConsumer consumer;
    private final CqProducer producer;
    private final int maxInlineScatter;
    private volatile boolean overflowed; // smp_store_release/smp_load_acquire: producers after the overflow drop their CQEs
    volatile boolean overflowHandled; // read and written under the device's monitor; volatile for isOverflowed-style diagnostics
    private long dropped;
    /**
     * The poller's: at {@link #POLLED_OFFSET}, the offset of the CQE the last successful startPoll/nextPoll
     * positioned on, which the accessors read; a line pair of padding each side keeps the poller's store
     * off the lines of the fields the device reads (this object's, the CQ ring's).
     */
    private final long[] pollCursor = new long[2 * POLLED_OFFSET + 1];

    CompletionQueue(Device device, int cqn, Arena arena, int capacity, int cqeSize) {
        this.device = device;
        this.cqn = cqn;
        this.ring = CqRing.allocate(arena, capacity, cqeSize);
        this.entries = ring.entries();
        this.consumer = ring.consumer();
        this.producer = ring.producer();
        this.maxInlineScatter = Cqe.maxInlineData(cqeSize);
    }

    /** The CQ number. */
    public int cqn() {
        return cqn;
    }

    /** CQEs the CQ holds. */
    public int capacity() {
        return ring.capacity();
    }

    /** Bytes per CQE: {@link Cqe#SIZE} or {@link Cqe#LARGE_SIZE}. */
    public int cqeSize() {
        return ring.cqeSize();
    }

    /** The largest SEND payload that travels inside the receive's CQE (see the class comment). */
    public int maxInlineScatter() {
        return maxInlineScatter;
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
        consumer.pollState(POSITIONED);
        pollCursor[POLLED_OFFSET] = offset;
        onPolled(offset);
        return true;
    }

    /** {@code ibv_next_poll}: steps to the next completion; {@code false} when there is none. */
    public boolean nextPoll() {
        int state = checkPolling("nextPoll");
        if (state == POSITIONED) {
            consumer.advance();
        }
        long offset = consumer.pollAcquire();
        if (offset == CqConsumer.CQ_EMPTY) {
            consumer.pollState(PAST);
            return false;
        }
        consumer.pollState(POSITIONED);
        pollCursor[POLLED_OFFSET] = offset;
        onPolled(offset);
        return true;
    }

    /** {@code ibv_end_poll}: steps past the current completion, if any, and returns the polled CQEs to the device. */
    public void endPoll() {
        int state = checkPolling("endPoll");
        if (state == POSITIONED) {
            consumer.advance();
        }
        consumer.pollState(IDLE);
        consumer.publishConsumerIndexRelease();
    }

    private int checkPolling(String call) {
        int state = consumer.pollState();
        if (state == IDLE) {
            throw new IllegalStateException(call + "() without a successful startPoll() on CQ " + cqn);
        }
        return state;
    }

    private void onPolled(long offset) {
        QueuePair qp = device.qpByQpn(Cqe.qpnAt(entries, offset));
        if (qp == null) {
            return;
        }
        if (Cqe.opcodeAt(entries, offset) < WcOpcode.RECV) {
            qp.onSendCompletionPolled(Cqe.wqeCounterAt(entries, offset));
            return;
        }
        if ((Cqe.wcFlagsAt(entries, offset) & Cqe.WC_FLAG_INLINE_SCATTER) != 0 && Cqe.statusAt(entries, offset) == WcStatus.SUCCESS) {
            int length = Math.min(Cqe.inlineLenAt(entries, offset), maxInlineScatter);
            if (!qp.scatterFromCqe(entries, offset + Cqe.INLINE_DATA_OFFSET, length)) {
                Cqe.writeStatus(entries, offset, WcStatus.LOC_PROT_ERR);
            }
        }
        qp.onRecvCompletionPolled();
    }

    private long current() {
        return pollCursor[POLLED_OFFSET];
    }

    /** {@code wr_id} of the current completion. */
    public long wrId() {
        return Cqe.wrIdAt(entries, current());
    }

    /** {@code status}: a {@link dev.qpair.rings.WcStatus}. */
    public int status() {
        return Cqe.statusAt(entries, current());
    }

    /** {@code opcode}: a {@link WcOpcode}. */
    public int opcode() {
        return Cqe.opcodeAt(entries, current());
    }

    /** {@code byte_len}: bytes transferred. */
    public int byteLen() {
        return Cqe.byteLenAt(entries, current());
    }

    /** {@code imm_data}: valid when {@link #wcFlags()} has {@link Cqe#WC_FLAG_WITH_IMM}. */
    public int immData() {
        return Cqe.immDataAt(entries, current());
    }

    /** {@code src_qp}: the peer QP. */
    public int srcQp() {
        return Cqe.srcQpAt(entries, current());
    }

    /** {@code qp_num}: the local QP. */
    public int qpNum() {
        return Cqe.qpnAt(entries, current());
    }

    /** {@code wc_flags}: {@link Cqe}'s {@code WC_FLAG_*} bits, without the transport's {@link Cqe#WC_FLAG_INLINE_SCATTER}. */
    public int wcFlags() {
        return Cqe.wcFlagsAt(entries, current()) & ~Cqe.WC_FLAG_INLINE_SCATTER;
    }

    // ---- device side ----

    /** Writes one CQE; {@code false} when the CQ overflowed and the CQE was dropped. */
    boolean produce(long wrId, int status, int opcode, int byteLen, int immData, int wcFlags, int qpn, int srcQp,
            int wqeCounter) {
        return produceScatter(wrId, status, opcode, byteLen, immData, wcFlags, qpn, srcQp, wqeCounter, null) == SCATTERED;
    }

    /**
     * Writes one receive CQE that carries {@code byteLen} payload bytes read from {@code src} (when
     * {@code src} is not null). {@link #SOURCE_REFUSED}: the
     * source refused the copy, and the CQE went out with LOC_PROT_ERR and no payload.
     */
    int produceScatter(long wrId, int status, int opcode, int byteLen, int immData, int wcFlags, int qpn, int srcQp,
            int wqeCounter, Sgl src) {
        producer.lock();
        try {
            long offset = claimOrOverflow();
            if (offset == CqProducer.CQ_FULL) {
                return DROPPED;
            }
            int answer = SCATTERED;
            int inline = 0;
            if (src != null) {
                if (src.copyTo(entries, offset + Cqe.INLINE_DATA_OFFSET, byteLen) == AccessStatus.OK) {
                    inline = byteLen;
                    wcFlags |= Cqe.WC_FLAG_INLINE_SCATTER;
                } else {
                    status = WcStatus.LOC_PROT_ERR;
                    byteLen = 0;
                    answer = SOURCE_REFUSED;
                }
            }
            producer.publishRelease(wrId, byteLen, immData, qpn, srcQp, wqeCounter, opcode, status, wcFlags, inline);
            return answer;
        } finally {
            producer.unlock();
        }
    }

    /**
     * A successful receive completion whose {@code byteLen} bytes (1 up to {@link #maxInlineScatter()})
     * are copied from {@code src} at {@code srcOffset} into the CQE for the poller to scatter.
     */
    void produceInline(long wrId, int opcode, int byteLen, int immData, int wcFlags, int qpn, int srcQp, int wqeCounter,
            MemorySegment src, long srcOffset) {
        producer.lock();
        try {
            long offset = claimOrOverflow();
            if (offset == CqProducer.CQ_FULL) {
                return;
            }
            MemorySegment.copy(src, srcOffset, entries, offset + Cqe.INLINE_DATA_OFFSET, byteLen);
            producer.publishRelease(wrId, byteLen, immData, qpn, srcQp, wqeCounter, opcode, WcStatus.SUCCESS,
                    wcFlags | Cqe.WC_FLAG_INLINE_SCATTER, byteLen);
        } finally {
            producer.unlock();
        }
    }

    /** The next CQE slot, or {@link CqProducer#CQ_FULL} once the CQ has overflowed (the overflow recorded); under the producer lock. */
    private long claimOrOverflow() {
        long offset = overflowed ? CqProducer.CQ_FULL : producer.claim();
        if (offset == CqProducer.CQ_FULL) {
            markOverflow();
        }
        return offset;
    }

    private synchronized void markOverflow() {
        dropped++;
        if (!overflowed) {
            overflowed = true;
            device.cqOverflowed();
        }
    }
}
