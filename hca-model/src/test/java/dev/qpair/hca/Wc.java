package dev.qpair.hca;

/** One polled work completion, copied out of the CQE (tests only). */
record Wc(long wrId, int status, int opcode, int byteLen, int immData, int wcFlags) {

    /** Polls one completion from {@code cq}, waiting up to 5 s. */
    static Wc poll(CompletionQueue cq) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int spins = 0; !cq.startPoll(); spins++) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no completion on CQ " + cq.cqn() + " within 5 s");
            }
            Fixture.idle(spins);
        }
        Wc wc = new Wc(cq.wrId(), cq.status(), cq.opcode(), cq.byteLen(), cq.immData(), cq.wcFlags());
        cq.endPoll();
        return wc;
    }
}
