package dev.qpair.nvme.controller;

import java.lang.foreign.MemorySegment;

/** Controller-side state of one completion queue; touched only by whoever runs the engine. */
final class CompletionQueue {

    final int qid;
    final int size;
    final MemorySegment entries;
    final long headDoorbell;
    int head;
    int tail;
    int phase = 1;
    int submissionQueues;
    int rejectedHead = -1;

    CompletionQueue(int qid, int size, MemorySegment entries, long headDoorbell) {
        this.qid = qid;
        this.size = size;
        this.entries = entries;
        this.headDoorbell = headDoorbell;
    }
}
