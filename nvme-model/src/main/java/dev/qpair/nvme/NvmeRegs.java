package dev.qpair.nvme;

/**
 * Controller register offsets and field positions in the register page (BAR0), as the NVMe base
 * specification ("Controller Registers") places them. Doorbells are at
 * {@link dev.qpair.rings.nvme.NvmeQueues#sqTailDoorbell} and {@code cqHeadDoorbell}.
 */
public final class NvmeRegs {

    /** Controller Capabilities, 64-bit. */
    public static final long CAP = 0x00;
    /** Version, 32-bit. */
    public static final long VS = 0x08;
    /** Controller Configuration, 32-bit. */
    public static final long CC = 0x14;
    /** Controller Status, 32-bit. */
    public static final long CSTS = 0x1C;
    /** Admin Queue Attributes, 32-bit: ASQS 11:0, ACQS 27:16, both 0-based. */
    public static final long AQA = 0x24;
    /** Admin Submission Queue base address, 64-bit. */
    public static final long ASQ = 0x28;
    /** Admin Completion Queue base address, 64-bit. */
    public static final long ACQ = 0x30;

    /** Controller Memory Buffer Location, 32-bit: BIR 2:0, OFST 31:12. */
    public static final long CMBLOC = 0x38;
    /** Controller Memory Buffer Size, 32-bit: SQS 0, CQS 1, LISTS 2, RDS 3, WDS 4, SZU 11:8, SZ 31:12. */
    public static final long CMBSZ = 0x3C;
    /** CMBSZ.SQS: submission queues may live in the CMB. */
    public static final int CMBSZ_SQS = 1;
    /** CMBSZ.LISTS: PRP and SGL lists may live in the CMB. */
    public static final int CMBSZ_LISTS = 1 << 2;
    /** CMBSZ.RDS: data of reads (controller to host) may target the CMB. */
    public static final int CMBSZ_RDS = 1 << 3;
    /** CMBSZ.WDS: data of writes (host to controller) may come from the CMB. */
    public static final int CMBSZ_WDS = 1 << 4;

    /** NVMe 1.4.0. */
    public static final int VERSION_1_4 = 0x0001_0400;

    /** CC.EN. */
    public static final int CC_EN = 1;
    /** CC.SHN, bits 15:14: 01b normal shutdown, 10b abrupt shutdown. */
    public static final int CC_SHN_SHIFT = 14;
    /** CC.IOSQES, bits 19:16. */
    public static final int CC_IOSQES_SHIFT = 16;
    /** CC.IOCQES, bits 23:20. */
    public static final int CC_IOCQES_SHIFT = 20;
    /** CC.MPS, bits 10:7. */
    public static final int CC_MPS_SHIFT = 7;
    /** CC.CSS, bits 6:4. */
    public static final int CC_CSS_SHIFT = 4;

    /** CSTS.RDY. */
    public static final int CSTS_RDY = 1;
    /** CSTS.CFS: controller fatal status. */
    public static final int CSTS_CFS = 1 << 1;
    /** CSTS.SHST, bits 3:2. */
    public static final int CSTS_SHST_SHIFT = 2;
    /** CSTS.SHST value 10b: shutdown processing complete. */
    public static final int SHST_COMPLETE = 2;

    /** Memory page size the model supports (CAP.MPSMIN = CAP.MPSMAX = 0, 4 KiB). */
    public static final int PAGE_SIZE = 4096;

    private NvmeRegs() {
    }

    /** CAP.MQES, bits 15:0: maximum queue entries, 0-based. */
    public static int capMqes(long cap) { return (int) (cap & 0xFFFF); }
    /** CAP.CQR, bit 16: contiguous queues required. */
    public static boolean capCqr(long cap) { return (cap & (1L << 16)) != 0; }
    /** CAP.TO, bits 31:24: worst-case ready time in 500 ms units. */
    public static int capTo(long cap) { return (int) (cap >>> 24) & 0xFF; }
    /** CAP.DSTRD, bits 35:32: doorbell stride is {@code 4 << DSTRD} bytes. */
    public static int capDstrd(long cap) { return (int) (cap >>> 32) & 0xF; }
    /** CAP.CSS, bits 44:37: bit 0 of the field is the NVM command set. */
    public static int capCss(long cap) { return (int) (cap >>> 37) & 0xFF; }
    /** CAP.MPSMIN, bits 51:48: minimum page size is {@code 2^(12 + MPSMIN)}. */
    public static int capMpsmin(long cap) { return (int) (cap >>> 48) & 0xF; }
    /** CAP.MPSMAX, bits 55:52. */
    public static int capMpsmax(long cap) { return (int) (cap >>> 52) & 0xF; }

    /** Builds CAP from its fields (CQR set, NVM command set supported). */
    public static long cap(int mqes, int to, int dstrd) {
        return (mqes & 0xFFFFL) | 1L << 16 | (long) (to & 0xFF) << 24 | (long) (dstrd & 0xF) << 32 | 1L << 37;
    }

    /** CMB size in bytes from CMBSZ: SZ units of {@code 4 KiB << (4 * SZU)}. */
    public static long cmbszBytes(int cmbsz) {
        int szu = (cmbsz >>> 8) & 0xF;
        return Integer.toUnsignedLong(cmbsz >>> 12) * (4096L << (4 * szu));
    }

    /** CC.SHN from CC. */
    public static int ccShn(int cc) { return (cc >>> CC_SHN_SHIFT) & 3; }
    /** CC.IOSQES from CC. */
    public static int ccIosqes(int cc) { return (cc >>> CC_IOSQES_SHIFT) & 0xF; }
    /** CC.IOCQES from CC. */
    public static int ccIocqes(int cc) { return (cc >>> CC_IOCQES_SHIFT) & 0xF; }
    /** CC.MPS from CC. */
    public static int ccMps(int cc) { return (cc >>> CC_MPS_SHIFT) & 0xF; }
    /** CC.CSS from CC. */
    public static int ccCss(int cc) { return (cc >>> CC_CSS_SHIFT) & 0x7; }
    /** CSTS.SHST from CSTS. */
    public static int cstsShst(int csts) { return (csts >>> CSTS_SHST_SHIFT) & 3; }
    /** AQA from the 0-based admin SQ and CQ sizes. */
    public static int aqa(int asqs0, int acqs0) { return (asqs0 & 0xFFF) | (acqs0 & 0xFFF) << 16; }
}
