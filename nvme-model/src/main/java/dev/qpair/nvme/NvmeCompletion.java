package dev.qpair.nvme;

import dev.qpair.rings.nvme.NvmeCqe;

/** A completion as a qpair hands it to a callback: a reused flyweight, valid during the callback. */
public final class NvmeCompletion {

    private int cid;
    private int status;
    private int dw0;
    private int sqhd;
    private int sqid;

    void set(int cid, int status, int dw0, int sqhd, int sqid) {
        this.cid = cid;
        this.status = status;
        this.dw0 = dw0;
        this.sqhd = sqhd;
        this.sqid = sqid;
    }

    /** Command identifier: the tracker index the command was submitted with. */
    public int cid() { return cid; }
    /** The 15-bit status field (SC, SCT, CRD, M, DNR); see {@link NvmeStatus}. */
    public int status() { return status; }
    /** Status Code Type. */
    public int sct() { return NvmeCqe.sct(status); }
    /** Status Code. */
    public int sc() { return NvmeCqe.sc(status); }
    /** Whether the command succeeded. */
    public boolean isSuccess() { return NvmeStatus.isSuccess(status); }
    /** Command-specific DW0. */
    public int dw0() { return dw0; }
    /** SQ head pointer the controller reported with this completion. */
    public int sqhd() { return sqhd; }
    /** SQ identifier. */
    public int sqid() { return sqid; }

    @Override
    public String toString() {
        return "NvmeCompletion[cid=" + cid + ", sqid=" + sqid + ", sqhd=" + sqhd + ", dw0=0x" + Integer.toHexString(dw0)
                + ", " + NvmeStatus.describe(status) + "]";
    }
}
