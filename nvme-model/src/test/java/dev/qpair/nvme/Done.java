package dev.qpair.nvme;

/** Collects completions for tests: counts them and keeps the last status and DW0. */
final class Done implements NvmeCallback {

    int count;
    int status = -1;
    int dw0;
    int failures;
    Object lastArg;

    @Override
    public void onCompletion(Object arg, NvmeCompletion completion) {
        count++;
        status = completion.status();
        dw0 = completion.dw0();
        lastArg = arg;
        if (!completion.isSuccess()) {
            failures++;
        }
    }

    /**
     * Polls {@code qpair} until {@code n} completions arrived, at most 30 s; yields the core after
     * a burst of spins, so a controller thread on a loaded 2-core machine gets to run.
     */
    void await(NvmeQpair qpair, int n) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        int spins = 0;
        while (count < n) {
            qpair.processCompletions(0);
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + count + " of " + n + " completions within 30 s");
            }
            if ((++spins & 1023) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** Submits nothing; polls for one more completion and returns its status. */
    int next(NvmeQpair qpair) {
        await(qpair, count + 1);
        return status;
    }
}
