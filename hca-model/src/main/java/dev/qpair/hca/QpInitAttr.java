package dev.qpair.hca;

/**
 * {@code ibv_qp_init_attr} for an RC QP: queue sizes, SGE and inline limits, signaling and
 * whether several threads post to it. A reusable, mutable holder; {@link Device#createQp} checks it.
 */
public final class QpInitAttr {

    /** The largest send queue, in 64-byte basic blocks: the 16-bit {@code wqe_counter} must name every slot. */
    public static final int MAX_SEND_SLOTS = 1 << 15;
    /** The largest receive queue, in WQEs. */
    public static final int MAX_RECV_WR = 1 << 15;

    int maxSendWr = 64;
    int maxRecvWr = 64;
    int maxSendSge = 1;
    int maxRecvSge = 1;
    int maxInlineData = 64;
    boolean sqSigAll;
    boolean threadSafe;

    /** {@code max_send_wr}: WRs the send queue must hold at their largest size (default 64). */
    public QpInitAttr maxSendWr(int n) {
        this.maxSendWr = n;
        return this;
    }

    /** {@code max_recv_wr}: receive WQEs (default 64). */
    public QpInitAttr maxRecvWr(int n) {
        this.maxRecvWr = n;
        return this;
    }

    /** {@code max_send_sge}: data segments per send WR (default 1). */
    public QpInitAttr maxSendSge(int n) {
        this.maxSendSge = n;
        return this;
    }

    /** {@code max_recv_sge}: data segments per receive WR (default 1). */
    public QpInitAttr maxRecvSge(int n) {
        this.maxRecvSge = n;
        return this;
    }

    /** {@code max_inline_data}: bytes a send WR may carry inline (default 64). */
    public QpInitAttr maxInlineData(int n) {
        this.maxInlineData = n;
        return this;
    }

    /** {@code sq_sig_all}: every send WR generates a completion. */
    public QpInitAttr sqSigAll(boolean on) {
        this.sqSigAll = on;
        return this;
    }

    /**
     * Several threads post to this QP: posting takes a {@code DoorbellLock} (the {@code mmiowb}
     * discipline). Otherwise posting is single-producer and lock-free.
     */
    public QpInitAttr threadSafe(boolean on) {
        this.threadSafe = on;
        return this;
    }
}
