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

    SubmissionQueue(int qid, int size, MemorySegment entries, CompletionQueue cq, long tailDoorbell) {
        this.qid = qid;
        this.size = size;
        this.entries = entries;
        this.cq = cq;
        this.tailDoorbell = tailDoorbell;
    }
}
