package dev.qpair.nvme;

/** An admin command the controller completed with an error status. */
public final class NvmeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public NvmeException(String command, int status) {
        super(command + " failed: " + NvmeStatus.describe(status));
        this.status = status;
    }

    /** The 15-bit status field of the completion. */
    public int status() {
        return status;
    }
}
