package dev.qpair.hca;

/** QP states ({@code enum ibv_qp_state}) and the transitions {@code modifyQp} may make (IBTA 10.3.1). */
public enum QpState {
    RESET, INIT, RTR, RTS, SQD, SQE, ERR;

    /**
     * Whether {@code modifyQp} may move a QP from this state to {@code to}: any state to RESET or
     * ERR; RESET to INIT; INIT to INIT or RTR; RTR to RTS; RTS to RTS or SQD; SQD to SQD or RTS;
     * SQE to RTS. SQE itself is entered only by the device (a send error on UC/UD; RC errors go to ERR).
     */
    public boolean canModifyTo(QpState to) {
        if (to == RESET || to == ERR) {
            return true;
        }
        return switch (this) {
            case RESET -> to == INIT;
            case INIT -> to == INIT || to == RTR;
            case RTR -> to == RTS;
            case RTS -> to == RTS || to == SQD;
            case SQD -> to == SQD || to == RTS;
            case SQE -> to == RTS;
            case ERR -> false;
        };
    }
}
