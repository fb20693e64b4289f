package dev.qpair.rings;

/**
 * Send WQE opcodes (the control segment's {@code opcode} byte), numbered as rdma-core's
 * {@code ibv_wr_opcode}, and which segments each one carries after the control segment.
 *
 * <p>Segment order in a send WQE: control, then the remote-address segment for RDMA and atomic
 * opcodes, then the atomic segment for atomics, then either data segments or one inline segment.
 * The predicates accept any int and never throw: a device reading a garbage opcode gets
 * {@code false} from all of them and rejects the WQE itself.
 */
public final class WrOpcode {

    /** RDMA WRITE: local SGEs or inline data to remote memory. */
    public static final int RDMA_WRITE = 0;
    /** RDMA WRITE that also consumes a receive at the responder and delivers {@code imm_data}. */
    public static final int RDMA_WRITE_WITH_IMM = 1;
    /** SEND: into the responder's next receive WQE. */
    public static final int SEND = 2;
    /** SEND that also delivers {@code imm_data}. */
    public static final int SEND_WITH_IMM = 3;
    /** RDMA READ: remote memory into local SGEs. */
    public static final int RDMA_READ = 4;
    /** 8-byte atomic compare-and-swap on remote memory; the old value lands in the local SGE. */
    public static final int ATOMIC_CMP_AND_SWP = 5;
    /** 8-byte atomic fetch-and-add on remote memory; the old value lands in the local SGE. */
    public static final int ATOMIC_FETCH_AND_ADD = 6;
    /** Invalidates a local key ({@code invalidate_rkey}). */
    public static final int LOCAL_INV = 7;
    /** SEND that also invalidates {@code invalidate_rkey} at the responder. */
    public static final int SEND_WITH_INV = 9;
    /** No operation: occupies its slots and completes without touching memory. */
    public static final int NOP = 0xff;

    private WrOpcode() {
    }

    /** Whether {@code opcode} carries a remote-address segment (RDMA and atomic opcodes). */
    public static boolean hasRemoteAddress(int opcode) {
        return opcode == RDMA_WRITE || opcode == RDMA_WRITE_WITH_IMM || opcode == RDMA_READ
                || opcode == ATOMIC_CMP_AND_SWP || opcode == ATOMIC_FETCH_AND_ADD;
    }

    /** Whether {@code opcode} carries an atomic segment. */
    public static boolean hasAtomic(int opcode) {
        return opcode == ATOMIC_CMP_AND_SWP || opcode == ATOMIC_FETCH_AND_ADD;
    }

    /** Whether {@code opcode} may carry its payload inline (sends and RDMA writes). */
    public static boolean allowsInline(int opcode) {
        return opcode == RDMA_WRITE || opcode == RDMA_WRITE_WITH_IMM || opcode == SEND
                || opcode == SEND_WITH_IMM || opcode == SEND_WITH_INV;
    }

    /** Whether {@code opcode} is one this package defines. */
    public static boolean isKnown(int opcode) {
        return (opcode >= RDMA_WRITE && opcode <= LOCAL_INV) || opcode == SEND_WITH_INV || opcode == NOP;
    }
}
