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

    /** Polls {@code qpair} until {@code n} completions arrived, at most 5 s. */
    void await(NvmeQpair qpair, int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count < n) {
            qpair.processCompletions(0);
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + count + " of " + n + " completions within 5 s");
            }
            Thread.onSpinWait();
        }
    }

    /** Submits nothing; polls for one more completion and returns its status. */
    int next(NvmeQpair qpair) {
        await(qpair, count + 1);
        return status;
    }
}
