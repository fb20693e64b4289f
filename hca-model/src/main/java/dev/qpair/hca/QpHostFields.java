package dev.qpair.hca;

/**
 * The fields of a {@link QueuePair} that its posting and polling threads write on every post and
 * poll, laid out after {@link QpHeadPad} and kept off the engine's lines by {@link QpHostPad}: the
 * engine never reads them, so a post never makes the engine miss on a line of the QP it executes.
 */
abstract class QpHostFields extends QpHeadPad {

    // ---- host send side: the posting thread (or the sqLock holder) ----
    boolean batchOpen;
    boolean wqeOpen;
    int sqTail;
    int sqPublished;
    int curStart;
    int curOpcode;
    int curFlags;
    int curDs;
    int curNumSge;
    int curBfBytes; // the open WQE's bytes up to its last meaningful one (inline data is not padded): what a BlueFlame copy takes
    long nextWrId;
    int nextFlags;
    int sqFreedCache;
    int unsignaledRun;
    int lastSignaledEnd;
    // written by the send CQ's poller with release, read by the poster with acquire
    int sqFreed;
    int sqFreedByPoller;

    // ---- host receive side ----
    boolean recvOpen;
    boolean recvBatch;
    int rqTail;
    int rqPublished;
    int rqFreedCache;
    int rqFreed;
    int rqFreedByPoller;
}
