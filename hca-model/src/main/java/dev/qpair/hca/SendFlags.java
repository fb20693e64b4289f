package dev.qpair.hca;

import dev.qpair.rings.SendWqe;

/** {@code enum ibv_send_flags}, for {@link QueuePair#wrFlags}. */
public final class SendFlags {

    /** {@code IBV_SEND_SIGNALED}: this WR generates a completion, which also frees its send-queue slots and all before. */
    public static final int SIGNALED = SendWqe.FLAG_SIGNALED;
    /** {@code IBV_SEND_SOLICITED}. */
    public static final int SOLICITED = SendWqe.FLAG_SOLICITED;
    /** {@code IBV_SEND_FENCE}. */
    public static final int FENCE = SendWqe.FLAG_FENCE;

    private SendFlags() {
    }
}
