package dev.qpair.hca;

/**
 * Asynchronous events ({@code enum ibv_event_type}) a device raises, read with
 * {@link Device#pollAsyncEvent()}, which encodes one as {@code type << 32 | object number}.
 */
public final class AsyncEvent {

    /** {@code IBV_EVENT_CQ_ERR}: a CQ overflowed; the object is the CQN. */
    public static final int CQ_ERR = 0;
    /** {@code IBV_EVENT_QP_FATAL}: a QP moved to ERR outside a completion (CQ overflow, engine fault); the object is the QPN. */
    public static final int QP_FATAL = 1;

    private AsyncEvent() {
    }

    /** The event type of an encoded event. */
    public static int type(long event) {
        return (int) (event >>> 32);
    }

    /** The CQN or QPN of an encoded event. */
    public static int object(long event) {
        return (int) event;
    }
}
