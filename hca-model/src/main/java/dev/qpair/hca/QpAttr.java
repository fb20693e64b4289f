package dev.qpair.hca;

/**
 * {@code ibv_qp_attr} for {@link QueuePair#modifyQp}: the target state and the attributes the
 * transition uses. RTR uses {@link #destQpNum} and {@link #rqPsn}, the values a connection manager
 * exchanges; RTS uses {@link #sqPsn}, {@link #rnrRetry} and {@link #minRnrTimerNanos}. A reusable,
 * mutable holder.
 */
public final class QpAttr {

    /** {@code rnr_retry} value meaning "retry forever", as in IBTA. */
    public static final int RNR_RETRY_INFINITE = 7;

    QpState qpState = QpState.RESET;
    int destQpNum = -1;
    int rqPsn;
    int sqPsn;
    int rnrRetry = RNR_RETRY_INFINITE;
    long minRnrTimerNanos = 10_000;

    /** {@code qp_state}: the state to move to. */
    public QpAttr qpState(QpState state) {
        this.qpState = state;
        return this;
    }

    /** {@code dest_qp_num}: the peer's QPN (RTR). */
    public QpAttr destQpNum(int qpn) {
        this.destQpNum = qpn;
        return this;
    }

    /** {@code rq_psn}: the first PSN this QP's responder expects, the peer's {@code sq_psn} (RTR). */
    public QpAttr rqPsn(int psn) {
        this.rqPsn = psn;
        return this;
    }

    /** {@code sq_psn}: the first PSN this QP's requester sends (RTS). */
    public QpAttr sqPsn(int psn) {
        this.sqPsn = psn;
        return this;
    }

    /** {@code rnr_retry}: how often a SEND is retried after an RNR NAK, 0 .. 7 (7: forever) (RTS). */
    public QpAttr rnrRetry(int n) {
        this.rnrRetry = n;
        return this;
    }

    /** The RNR timer: how long the requester waits before retrying after an RNR NAK (RTR/RTS). */
    public QpAttr minRnrTimerNanos(long nanos) {
        this.minRnrTimerNanos = nanos;
        return this;
    }

    /** The target state (or, after {@link QueuePair#queryQp}, the current one). */
    public QpState qpState() {
        return qpState;
    }

    /** {@code dest_qp_num}; -1 before RTR. */
    public int destQpNum() {
        return destQpNum;
    }

    /** {@code rq_psn}: the next PSN the responder expects. */
    public int rqPsn() {
        return rqPsn;
    }

    /** {@code sq_psn}: the next PSN the requester sends. */
    public int sqPsn() {
        return sqPsn;
    }

    /** {@code rnr_retry}. */
    public int rnrRetry() {
        return rnrRetry;
    }

    /** The RNR timer in nanoseconds. */
    public long minRnrTimerNanos() {
        return minRnrTimerNanos;
    }
}
