package dev.qpair.nvme;

/**
 * Called by {@link NvmeQpair#processCompletions} once per completed command, with the argument
 * given at submission (SPDK's {@code spdk_nvme_cmd_cb}). The completion is a flyweight that is
 * valid only during the call. The callback may submit new commands to the same qpair.
 */
@FunctionalInterface
public interface NvmeCallback {

    void onCompletion(Object arg, NvmeCompletion completion);
}
