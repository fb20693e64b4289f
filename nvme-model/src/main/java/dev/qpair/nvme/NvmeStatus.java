package dev.qpair.nvme;

import dev.qpair.rings.nvme.NvmeCqe;

/**
 * Status field values (SCT and SC, phase removed) the controller model produces, as 15-bit status
 * fields ready for {@link NvmeCqe#high}. Errors carry DNR: retrying the same command cannot help.
 */
public final class NvmeStatus {

    public static final int SCT_GENERIC = 0;
    public static final int SCT_COMMAND_SPECIFIC = 1;
    public static final int SCT_MEDIA = 2;

    public static final int SUCCESS = 0;
    public static final int INVALID_OPCODE = error(SCT_GENERIC, 0x01);
    public static final int INVALID_FIELD = error(SCT_GENERIC, 0x02);
    public static final int DATA_TRANSFER_ERROR = error(SCT_GENERIC, 0x04);
    /** Completed by the host driver, not the controller, for commands lost with their deleted queue. */
    public static final int ABORTED_SQ_DELETION = NvmeCqe.status(SCT_GENERIC, 0x08, false);
    public static final int INTERNAL_ERROR = error(SCT_GENERIC, 0x06);
    public static final int INVALID_NAMESPACE_OR_FORMAT = error(SCT_GENERIC, 0x0B);
    public static final int COMMAND_SEQUENCE_ERROR = error(SCT_GENERIC, 0x0C);
    public static final int INVALID_SGL_SEGMENT_DESCRIPTOR = error(SCT_GENERIC, 0x0D);
    public static final int INVALID_NUMBER_OF_SGL_DESCRIPTORS = error(SCT_GENERIC, 0x0E);
    public static final int DATA_SGL_LENGTH_INVALID = error(SCT_GENERIC, 0x0F);
    public static final int SGL_DESCRIPTOR_TYPE_INVALID = error(SCT_GENERIC, 0x11);
    public static final int PRP_OFFSET_INVALID = error(SCT_GENERIC, 0x13);
    public static final int LBA_OUT_OF_RANGE = error(SCT_GENERIC, 0x80);

    public static final int COMPLETION_QUEUE_INVALID = error(SCT_COMMAND_SPECIFIC, 0x00);
    public static final int INVALID_QUEUE_IDENTIFIER = error(SCT_COMMAND_SPECIFIC, 0x01);
    public static final int INVALID_QUEUE_SIZE = error(SCT_COMMAND_SPECIFIC, 0x02);
    public static final int ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED = error(SCT_COMMAND_SPECIFIC, 0x05);
    public static final int INVALID_INTERRUPT_VECTOR = error(SCT_COMMAND_SPECIFIC, 0x08);
    public static final int INVALID_LOG_PAGE = error(SCT_COMMAND_SPECIFIC, 0x09);
    public static final int INVALID_QUEUE_DELETION = error(SCT_COMMAND_SPECIFIC, 0x0C);

    public static final int WRITE_FAULT = error(SCT_MEDIA, 0x80);

    private NvmeStatus() {
    }

    private static int error(int sct, int sc) {
        return NvmeCqe.status(sct, sc, true);
    }

    /** Whether the status field reports success. */
    public static boolean isSuccess(int status) {
        return (status & 0x7FF) == 0;
    }

    /** The status field without CRD, M and DNR: SCT and SC, for comparisons. */
    public static int code(int status) {
        return status & 0x7FF;
    }

    /** A readable name for a status field, e.g. {@code "LBA Out of Range (SCT 0h, SC 80h)"}. */
    public static String describe(int status) {
        String name = switch (code(status)) {
            case 0 -> "Successful Completion";
            case 0x001 -> "Invalid Command Opcode";
            case 0x002 -> "Invalid Field in Command";
            case 0x004 -> "Data Transfer Error";
            case 0x006 -> "Internal Error";
            case 0x008 -> "Command Aborted due to SQ Deletion";
            case 0x00B -> "Invalid Namespace or Format";
            case 0x00C -> "Command Sequence Error";
            case 0x00D -> "Invalid SGL Segment Descriptor";
            case 0x00E -> "Invalid Number of SGL Descriptors";
            case 0x00F -> "Data SGL Length Invalid";
            case 0x011 -> "SGL Descriptor Type Invalid";
            case 0x013 -> "PRP Offset Invalid";
            case 0x080 -> "LBA Out of Range";
            case 0x100 -> "Completion Queue Invalid";
            case 0x101 -> "Invalid Queue Identifier";
            case 0x102 -> "Invalid Queue Size";
            case 0x105 -> "Asynchronous Event Request Limit Exceeded";
            case 0x108 -> "Invalid Interrupt Vector";
            case 0x109 -> "Invalid Log Page";
            case 0x10C -> "Invalid Queue Deletion";
            case 0x280 -> "Write Fault";
            default -> "status";
        };
        return String.format("%s (SCT %xh, SC %02xh%s)", name, NvmeCqe.sct(status), NvmeCqe.sc(status),
                NvmeCqe.dnr(status) ? ", DNR" : "");
    }
}
