package dev.qpair.nvme.controller;

import java.lang.foreign.MemorySegment;

/** Controller-side state of one submission queue; touched only by whoever runs the engine. */
final class SubmissionQueue {

    final int qid;
    final int size;
    final MemorySegment entries;
    final CompletionQueue cq;
    final long tailDoorbell;
    int head;
    int tail;
    int rejectedTail = -1;
    int idleVisits;
    /** The namespace of the Write Zeroes or deallocate in progress, or {@code null}. */
    Namespace zeroNs;
    int zeroCid;
    int zeroStatus;
    int zeroRange;
    int zeroRangeCount;
    /** (byte offset, byte length) pairs still to zero: up to 256 DSM ranges. */
    final long[] zeroRanges = new long[512];

    SubmissionQueue(int qid, int size, MemorySegment entries, CompletionQueue cq, long tailDoorbell) {
        this.qid = qid;
        this.size = size;
        this.entries = entries;
        this.cq = cq;
        this.tailDoorbell = tailDoorbell;
    }
}
