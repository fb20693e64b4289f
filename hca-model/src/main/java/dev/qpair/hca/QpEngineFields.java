package dev.qpair.hca;

/**
 * The fields of a {@link QueuePair} that the engine writes on every pass of its send task, between
 * two pads: the host's post and poll never read them, so a pass never makes the host miss on a line
 * of the QP it posts to.
 */
abstract class QpEngineFields extends QpHostPad {

    // ---- the engine task (taskState); the responder's state is in Responder ----
    int taskState;
    QueuePair nextPending; // THREAD mode: the engine thread's list of passes it owes itself
    boolean pending;
    /** Engine passes over this QP's send queue; written only by the task owner. */
    long passes;
    /** Inline RDMA_WRITEs the engine's shortcut executed without a general pass; written only by the task owner. */
    long shortcutWrites;
    /** Inline SENDs the engine's shortcut executed into the peer's receive CQE without a general pass; written only by the task owner. */
    long shortcutSends;
    int deviceSq;
    int sqPsn;
    int rnrRetriesLeft;
    long rnrDeadline;
    volatile boolean rnrWaiting; // smp_store_release/smp_load_acquire: the peer's postRecv sees the wait it must kick
    volatile boolean rnrKicked; // smp_store_release/smp_load_acquire: the kick before the doorbell that runs the retry
}
